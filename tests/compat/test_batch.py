"""Jobs and CronJobs as kubectl sees them (Engine II), against simulated nodes: pilot-simnodes
reports bound pods Running and, for run-to-completion pods, then Succeeded, as a node agent
would for commands that exit 0. Scenarios from cluster.md items 6 and 7."""

import re
import subprocess
from datetime import datetime, timezone

import pytest

from pilot_engine import LineReader


@pytest.fixture(scope="module")
def cluster(engine, simnodes_binary):
    proc = subprocess.Popen([simnodes_binary, "--kubeconfig", engine.kubeconfig, "--count", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    LineReader(proc).wait_for(lambda l: l.startswith("ready nodes=2"), timeout=30)
    engine.k("create", "namespace", "demo")
    yield engine
    proc.terminate()
    proc.wait(10)


def test_cronjob_is_accepted_with_its_schedule(cluster, manifest):
    # Created first: its first run comes at the next whole minute, checked at the end.
    cluster.k("apply", "-f", "-", input=manifest("cronjob.yaml"))
    row = cluster.k("get", "cronjob", "hello", "-n", "demo", "--no-headers").stdout
    assert re.match(r"hello\s+\*/1 \* \* \* \*\s+<none>\s+False\s+0\s+<none>", row), row


def test_job_runs_to_completion_within_parallelism(cluster, manifest):
    k = cluster.k
    k("apply", "-f", "-", input=manifest("job.yaml"))
    k("wait", "--timeout=90s", "job/pi", "-n", "demo", "--for=condition=complete")
    row = k("get", "job", "pi", "-n", "demo", "--no-headers").stdout
    assert re.match(r"pi\s+Complete\s+6/6\s", row), row
    job = cluster.kjson("get", "job", "pi", "-n", "demo")
    assert job["status"]["succeeded"] == 6
    assert {c["type"] for c in job["status"]["conditions"]} == {"SuccessCriteriaMet", "Complete"}
    pods = cluster.kjson("get", "pods", "-n", "demo", "-l", "job-name=pi")["items"]
    assert len(pods) == 6
    assert all(p["status"]["phase"] == "Succeeded" for p in pods)
    assert all("batch.kubernetes.io/job-tracking" not in p["metadata"].get("finalizers", [])
               for p in pods)
    # Never more than `parallelism` pods at once: each pod started after all but one of the
    # earlier ones had finished.
    spans = sorted((p["metadata"]["creationTimestamp"],
                    p["status"]["containerStatuses"][0]["state"]["terminated"]["finishedAt"])
                   for p in pods)
    for i, (start, _) in enumerate(spans):
        running = [s for s in spans[:i] if s[1] > start]
        assert len(running) <= 1, spans


def test_job_deadline_fails_the_job(cluster):
    k = cluster.k
    # A pod that cannot be scheduled never finishes; the deadline fails the Job.
    k("apply", "-f", "-", input="""apiVersion: batch/v1
kind: Job
metadata: {name: late, namespace: demo}
spec:
  activeDeadlineSeconds: 2
  template:
    spec:
      restartPolicy: Never
      nodeSelector: {pool: none}
      containers:
      - {name: main, image: busybox:1.36, command: [sh, -c, "true"]}
""")
    k("wait", "--timeout=60s", "job/late", "-n", "demo", "--for=condition=failed")
    job = cluster.kjson("get", "job", "late", "-n", "demo")
    failed = [c for c in job["status"]["conditions"] if c["type"] == "Failed"][0]
    assert failed["reason"] == "DeadlineExceeded"
    assert failed["message"] == "Job was active longer than specified deadline"
    k("wait", "--timeout=60s", "pods", "-n", "demo", "-l", "job-name=late", "--for=delete")


def test_cronjob_starts_a_job_at_the_minute(cluster):
    k = cluster.k
    k("wait", "--timeout=90s", "cronjob/hello", "-n", "demo",
      "--for=jsonpath={.status.lastSuccessfulTime}")
    cron = cluster.kjson("get", "cronjob", "hello", "-n", "demo")
    scheduled = datetime.fromisoformat(cron["status"]["lastScheduleTime"].replace("Z", "+00:00"))
    assert scheduled.second == 0 and scheduled.tzinfo == timezone.utc
    jobs = cluster.kjson("get", "jobs", "-n", "demo", "-o", "json")["items"]
    mine = [j for j in jobs if j["metadata"].get("ownerReferences", [{}])[0].get("name") == "hello"]
    assert mine, jobs
    minutes = int(scheduled.timestamp()) // 60
    assert mine[0]["metadata"]["name"] == f"hello-{minutes}"
    annotation = mine[0]["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"]
    assert datetime.fromisoformat(annotation.replace("Z", "+00:00")) == scheduled
