"""cluster.md items 6 and 7 on real agents: Jobs and CronJobs run real pods (process runtime
unless --agent-runtime says otherwise) and are observed as a user would, with kubectl.

The engine runs its CronJob clock 15 times faster than the wall clock
(`--test-cronjob-time-scale 15`, a testing-only option): `*/1 * * * *` fires every 4 s, so
history limits, suspend and the concurrency policies are seen in seconds. Waiting is always on
something observable (a Job, an event, another CronJob firing), never a fixed sleep."""

import re

import pytest

from agentcluster import start_cluster, stop_cluster
from pilot_agent import wait_until
from pilot_engine import Engine

NS = "demo"
TIME_SCALE = "15"


@pytest.fixture(scope="module")
def engine(engine_binary, tmp_path_factory):
    e = Engine(engine_binary, tmp_path_factory.mktemp("engine") / "data").start(
        args=["--test-cronjob-time-scale", TIME_SCALE])
    yield e
    if e.alive():
        assert e.stop() == 0, e.tail_log()


@pytest.fixture(scope="module")
def cluster(engine, agent_binary, agent_runtime, tmp_path_factory):
    c = start_cluster(engine, agent_binary, agent_runtime, tmp_path_factory.mktemp("agents"))
    engine.k("create", "namespace", NS)
    yield c
    stop_cluster(c)


@pytest.fixture(scope="module")
def failing_job(cluster):
    """Created first: its retries (with the Job controller's 10 s back-off) run meanwhile."""
    cluster.k("apply", "-f", "-", input="""apiVersion: batch/v1
kind: Job
metadata: {name: flaky, namespace: demo}
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      terminationGracePeriodSeconds: 1
      containers:
      - {name: main, image: busybox:1.36, command: [sh, -c, "echo trying; exit 3"]}
""")
    return "flaky"


def job_condition(cluster, name: str, kind: str) -> dict | None:
    job = cluster.kjson("get", "job", name, "-n", NS)
    found = [c for c in job["status"].get("conditions", []) if c["type"] == kind]
    return found[0] if found and found[0]["status"] == "True" else None


def owned_jobs(cluster, cronjob: str) -> list[dict]:
    jobs = cluster.kjson("get", "jobs", "-n", NS)["items"]
    return [j for j in jobs if any(r.get("kind") == "CronJob" and r["name"] == cronjob
                                   for r in j["metadata"].get("ownerReferences", []))]


def events(cluster, name: str, reason: str) -> list[str]:
    out = cluster.kjson("get", "events", "-n", NS, "--field-selector",
                        f"involvedObject.name={name},reason={reason}")
    return [e["message"] for e in out["items"]]


def test_job_computes_pi_with_six_completions_two_at_a_time(cluster, manifest, failing_job):
    k = cluster.k
    k("apply", "-f", "-", input=manifest("job.yaml"))
    k("wait", "--timeout=90s", "job/pi", "-n", NS, "--for=condition=complete")
    row = k("get", "job", "pi", "-n", NS, "--no-headers").stdout
    assert re.match(r"pi\s+Complete\s+6/6\s", row), row

    pods = cluster.pods(NS, "job-name=pi")
    assert len(pods) == 6 and all(p["status"]["phase"] == "Succeeded" for p in pods), \
        [(p["metadata"]["name"], p["status"].get("phase")) for p in pods]
    assert {p["spec"]["nodeName"] for p in pods} <= {a.node_name for a in cluster.agents}
    # Never more than `parallelism` pods at once: each pod was created after all but one of
    # the earlier ones had finished.
    spans = sorted((p["metadata"]["creationTimestamp"],
                    p["status"]["containerStatuses"][0]["state"]["terminated"]["finishedAt"])
                   for p in pods)
    for i, (start, _) in enumerate(spans):
        running = [s for s in spans[:i] if s[1] > start]
        assert len(running) <= 1, spans
    # Every pod printed pi, read back through the engine's pods/log proxy.
    logs = k("logs", "-n", NS, "-l", "job-name=pi", "--max-log-requests=6").stdout
    assert logs.count("3.14159") == 6, logs
    described = k("describe", "job", "pi", "-n", NS).stdout
    assert re.search(r"Pods Statuses:\s+0 Active \(0 Ready\) / 6 Succeeded / 0 Failed",
                     described), described


def test_active_deadline_fails_a_running_job_and_stops_its_pod(cluster):
    k = cluster.k
    k("apply", "-f", "-", input="""apiVersion: batch/v1
kind: Job
metadata: {name: slow, namespace: demo}
spec:
  activeDeadlineSeconds: 4
  template:
    spec:
      restartPolicy: Never
      terminationGracePeriodSeconds: 1
      containers:
      - {name: main, image: busybox:1.36, command: [sleep, "3600"]}
""")
    # The pod really runs before the deadline passes.
    wait_until(lambda: [p for p in cluster.pods(NS, "job-name=slow")
                        if p["status"].get("phase") == "Running"], 30,
               message="the slow Job's pod running")
    k("wait", "--timeout=60s", "job/slow", "-n", NS, "--for=condition=failed")
    failed = job_condition(cluster, "slow", "Failed")
    assert failed["reason"] == "DeadlineExceeded", failed
    assert failed["message"] == "Job was active longer than specified deadline"
    # The agent stops the container and the pod goes away.
    k("wait", "--timeout=60s", "pods", "-n", NS, "-l", "job-name=slow", "--for=delete")
    assert re.match(r"slow\s+Failed\s+0/1\s", k("get", "job", "slow", "-n", NS,
                                                "--no-headers").stdout)


def test_backoff_limit_fails_the_job_after_its_retries(cluster, failing_job):
    k = cluster.k
    k("wait", "--timeout=90s", f"job/{failing_job}", "-n", NS, "--for=condition=failed")
    failed = job_condition(cluster, failing_job, "Failed")
    assert failed["reason"] == "BackoffLimitExceeded", failed
    assert failed["message"] == "Job has reached the specified backoff limit"
    job = cluster.kjson("get", "job", failing_job, "-n", NS)
    assert job["status"]["failed"] == 2 and not job["status"].get("succeeded")
    pods = cluster.pods(NS, f"job-name={failing_job}")
    assert len(pods) == 2 and all(p["status"]["phase"] == "Failed" for p in pods)
    assert all(p["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 3
               for p in pods)
    assert "trying" in k("logs", "-n", NS, pods[0]["metadata"]["name"]).stdout


CRON = """apiVersion: batch/v1
kind: CronJob
metadata: {{name: {name}, namespace: demo}}
spec:
  schedule: "*/1 * * * *"
  concurrencyPolicy: {policy}
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          terminationGracePeriodSeconds: 1
          containers:
          - {{name: main, image: busybox:1.36, command: [sleep, "3600"]}}
"""


def test_cronjob_runs_jobs_and_prunes_its_history(cluster, manifest):
    k = cluster.k
    k("apply", "-f", "-", input=manifest("cronjob.yaml"))
    # Four runs: successfulJobsHistoryLimit 2 keeps only the newest two finished Jobs.
    wait_until(lambda: len(events(cluster, "hello", "SuccessfulCreate")) >= 4, 60,
               message="four Jobs created by the CronJob")

    def pruned():
        jobs = owned_jobs(cluster, "hello")
        done = [j for j in jobs if j["status"].get("succeeded")]
        return jobs if len(done) <= 2 and events(cluster, "hello", "SuccessfulDelete") else None
    wait_until(pruned, 30, message="finished Jobs beyond the history limit deleted")
    deleted = events(cluster, "hello", "SuccessfulDelete")
    assert all(re.fullmatch(r"Deleted job hello-\d+", m) for m in deleted), deleted
    names = [j["metadata"]["name"] for j in owned_jobs(cluster, "hello")]
    assert all(re.fullmatch(r"hello-\d+", n) for n in names), names

    cron = cluster.kjson("get", "cronjob", "hello", "-n", NS)
    assert cron["status"]["lastScheduleTime"] and cron["status"]["lastSuccessfulTime"]
    row = k("get", "cronjob", "hello", "-n", NS, "--no-headers").stdout
    assert re.match(r"hello\s+\*/1 \* \* \* \*\s+<none>\s+False\s+[01]\s", row), row
    # The Jobs' pods really ran the command.
    job = sorted(j for j in names if any(
        jj["metadata"]["name"] == j and jj["status"].get("succeeded")
        for jj in owned_jobs(cluster, "hello")))[-1]
    assert "hello from the cluster" in k("logs", "-n", NS, f"job/{job}").stdout


def test_forbid_skips_runs_while_one_is_active_and_replace_replaces_it(cluster):
    k = cluster.k
    k("apply", "-f", "-", input=CRON.format(name="forbid", policy="Forbid"))
    k("apply", "-f", "-", input=CRON.format(name="replace", policy="Replace"))
    # Forbid: the first Job keeps running; later times are skipped with JobAlreadyActive.
    wait_until(lambda: events(cluster, "forbid", "JobAlreadyActive"), 60,
               message="a Forbid CronJob skipping a run")
    assert events(cluster, "forbid", "JobAlreadyActive")[0] == \
        "Not starting job because prior execution is running and concurrency policy is Forbid"
    jobs = owned_jobs(cluster, "forbid")
    assert len(jobs) == 1 and jobs[0]["status"].get("active") == 1, jobs
    assert len(events(cluster, "forbid", "SuccessfulCreate")) == 1

    # Replace: the running Job is deleted and a new one takes its place.
    wait_until(lambda: len(events(cluster, "replace", "SuccessfulCreate")) >= 2, 60,
               message="a Replace CronJob starting a second Job")
    wait_until(lambda: len(owned_jobs(cluster, "replace")) == 1, 30,
               message="the replaced Job deleted")
    deleted = events(cluster, "replace", "SuccessfulDelete")
    assert deleted and re.fullmatch(r"Deleted job replace-\d+", deleted[0]), deleted
    cron = cluster.kjson("get", "cronjob", "replace", "-n", NS)
    active = [ref["name"] for ref in cron["status"].get("active", [])]
    assert active == [owned_jobs(cluster, "replace")[0]["metadata"]["name"]], cron["status"]


def test_suspended_cronjob_starts_no_more_jobs(cluster):
    k = cluster.k
    k("patch", "cronjob", "hello", "-n", NS, "-p", '{"spec":{"suspend":true}}')
    row = k("get", "cronjob", "hello", "-n", NS, "--no-headers").stdout
    assert re.match(r"hello\s+\*/1 \* \* \* \*\s+<none>\s+True\s", row), row
    # The unsuspended `replace` CronJob is the witness that schedule times keep passing; one
    # passes first, so a run that was starting as the patch arrived is counted.
    def witness_ticks(n: int):
        seen = len(events(cluster, "replace", "SuccessfulCreate"))
        wait_until(lambda: len(events(cluster, "replace", "SuccessfulCreate")) >= seen + n, 60,
                   message=f"{n} more scheduled times passing")
    witness_ticks(1)
    created = len(events(cluster, "hello", "SuccessfulCreate"))
    witness_ticks(2)
    assert len(events(cluster, "hello", "SuccessfulCreate")) == created
    k("patch", "cronjob", "hello", "-n", NS, "-p", '{"spec":{"suspend":false}}')
    wait_until(lambda: len(events(cluster, "hello", "SuccessfulCreate")) > created, 60,
               message="a run after resuming")
