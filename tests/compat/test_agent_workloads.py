"""cluster.md items 2, 4 and 5 on real agents (process runtime unless --agent-runtime says
otherwise): a web Deployment with ConfigMap and Secret, logs and exec through the agent's HTTPS
server (the engine's pods/log and pods/exec proxy arrives separately), self-healing, sidecars and
init containers. Everything is observed as a user would: kubectl, the page served, the logs."""

import os
import re
import signal
import time
import urllib.request

import pytest

from agentcluster import MANIFESTS, free_port, start_cluster, stop_cluster
from pilot_agent import wait_until


@pytest.fixture(scope="module")
def cluster(engine, agent_binary, agent_runtime, tmp_path_factory):
    c = start_cluster(engine, agent_binary, agent_runtime, tmp_path_factory.mktemp("agents"))
    engine.k("create", "namespace", "demo")
    yield c
    stop_cluster(c)


@pytest.fixture(scope="module")
def web(cluster):
    port = free_port()
    text = (MANIFESTS / "process-web.yaml").read_text()
    cluster.k("apply", "-f", "-", input=text.replace("PORT", str(port)))
    pods = cluster.wait_selector_ready("demo", "app=web", 1)
    return pods[0], port


def page(target) -> str:
    """The page a web pod serves; `target` is (pod, port)."""
    pod, port = target
    with urllib.request.urlopen(f"http://{pod['status']['podIP']}:{port}/index.html",
                                timeout=10) as r:
        return r.read().decode()


def test_web_pod_is_running_ready_and_serves_the_configmap(cluster, web):
    pod, port = web
    name = pod["metadata"]["name"]
    row = cluster.status_row("demo", name)
    assert row[1:4] == ["1/1", "Running", "0"], row
    assert "hello from pilothouse" in page(web)
    status = pod["status"]
    assert status["hostIP"] == "127.0.0.1" and status["podIPs"] == [{"ip": status["podIP"]}]
    assert status["qosClass"] == "Burstable"
    c = status["containerStatuses"][0]
    assert c["ready"] and c["started"] and c["restartCount"] == 0
    assert c["containerID"].startswith(cluster.agent(pod["spec"]["nodeName"]).kind + "://")
    assert "running" in c["state"] and c["image"] == "busybox:1.36"
    types = [cond["type"] for cond in status["conditions"]]
    assert types[:4] == ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady"]
    assert "PodScheduled" in types


def test_exec_runs_in_the_container_with_its_environment(cluster, web):
    pod, _ = web
    name, agent = pod["metadata"]["name"], cluster.agent(pod["spec"]["nodeName"])
    out, err, status = agent.exec("demo", name, "web", ["sh", "-c", "echo $API_TOKEN $POD_NAME"])
    assert out.decode() == f"s3cr3t-token {name}\n"
    assert status["status"] == "Success"
    out, err, status = agent.exec("demo", name, "web", ["sh", "-c", "echo oops >&2; exit 3"])
    assert err == b"oops\n"
    assert status["status"] == "Failure" and status["reason"] == "NonZeroExitCode"
    assert status["details"]["causes"] == [{"reason": "ExitCode", "message": "3"}]
    out, _, status = agent.exec("demo", name, "web", ["cat"], stdin=b"typed input\n")
    assert out == b"typed input\n" and status["status"] == "Success"
    out, _, status = agent.exec("demo", name, "web", ["echo", "v4"], protocol="v4.channel.k8s.io")
    assert out == b"v4\n" and status["status"] == "Success"


def test_logs_tail_follow_timestamps_and_previous(cluster, web):
    pod, port = web
    name, agent = pod["metadata"]["name"], cluster.agent(pod["spec"]["nodeName"])
    page(web)
    wait_until(lambda: "response:200" in agent.logs("demo", name, "web"), 20,
               message="httpd's request log")
    last = agent.logs("demo", name, "web", tailLines=1)
    assert last.count("\n") == 1, last
    stamped = agent.logs("demo", name, "web", tailLines=1, timestamps="true")
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z \S", stamped), stamped
    assert stamped.count("\n") == 1, stamped
    assert len(agent.logs("demo", name, "web", limitBytes=5)) == 5

    with agent.follow_logs("demo", name, "web", tailLines=0) as stream:
        page(web)
        line = stream.readline().decode()
        assert "response:200" in line, line

    # Kill the container's process: it restarts and the earlier output is `--previous`.
    before = agent.logs("demo", name, "web")
    os.kill(cluster.container_pid(pod), signal.SIGKILL)
    wait_until(lambda: cluster.pod("demo", name)["status"]["containerStatuses"][0]
               ["restartCount"] == 1, 60, message="restart after the process was killed")
    cluster.wait_ready("demo", name)
    previous = agent.logs("demo", name, "web", previous="true")
    assert previous.startswith(before.splitlines()[0])
    row = cluster.status_row("demo", name)
    assert row[2] == "Running" and row[3] == "1", row
    c = cluster.pod("demo", name)["status"]["containerStatuses"][0]
    assert c["lastState"]["terminated"]["exitCode"] == 137
    assert "hello from pilothouse" in page(web)


def test_crashing_container_goes_into_crashloopbackoff(cluster):
    cluster.k("apply", "-f", "-", input="""apiVersion: v1
kind: Pod
metadata: {name: crasher, namespace: demo}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox:1.36
    command: ["sh", "-c", "echo failing; exit 2"]
""")

    def crashlooping():
        s = cluster.pod("demo", "crasher")["status"].get("containerStatuses", [{}])[0]
        waiting = s.get("state", {}).get("waiting", {})
        return s if waiting.get("reason") == "CrashLoopBackOff" and s["restartCount"] >= 1 else None
    s = wait_until(crashlooping, 60, message="CrashLoopBackOff")
    assert s["lastState"]["terminated"]["exitCode"] == 2
    assert "back-off 10s restarting failed container=c pod=crasher_demo" in \
        s["state"]["waiting"]["message"]
    assert cluster.status_row("demo", "crasher")[2] == "CrashLoopBackOff"
    # The back-off doubles: the second wait is 20 s.
    wait_until(lambda: "back-off 20s" in cluster.pod("demo", "crasher")["status"]
               ["containerStatuses"][0]["state"].get("waiting", {}).get("message", ""), 60,
               message="second back-off")
    events = cluster.k("get", "events", "-n", "demo",
                       "--field-selector", "involvedObject.name=crasher").stdout
    assert "BackOff" in events and "Back-off restarting failed container c" in events
    cluster.k("delete", "pod", "crasher", "-n", "demo", "--wait=true", timeout=60)


def test_failing_liveness_probe_restarts_the_container(cluster):
    cluster.k("apply", "-f", "-", input="""apiVersion: v1
kind: Pod
metadata: {name: unhealthy, namespace: demo}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox:1.36
    workingDir: /work
    command: ["sh", "-c", "touch alive; sleep 2; rm alive; sleep 3600"]
    livenessProbe:
      exec: {command: ["test", "-f", "alive"]}
      periodSeconds: 1
      failureThreshold: 2
    volumeMounts: [{name: work, mountPath: /work}]
  volumes: [{name: work, emptyDir: {}}]
""")
    wait_until(lambda: cluster.pod("demo", "unhealthy")["status"].get("containerStatuses", [{}])[0]
               .get("restartCount", 0) >= 1, 60, message="restart after liveness failures")
    events = cluster.k("get", "events", "-n", "demo",
                       "--field-selector", "involvedObject.name=unhealthy").stdout
    assert "Unhealthy" in events and "Liveness probe failed" in events
    assert "failed liveness probe, will be restarted" in events
    cluster.k("delete", "pod", "unhealthy", "-n", "demo", "--wait=true", timeout=60)


def test_deleting_a_pod_brings_a_replacement(cluster, web):
    pod, port = web
    old = pod["metadata"]["name"]
    started = time.monotonic()
    cluster.k("delete", "pod", old, "-n", "demo", timeout=60)  # waits for the agent's final DELETE
    assert time.monotonic() - started < 40
    pods = cluster.wait_selector_ready("demo", "app=web", 1)
    assert pods[0]["metadata"]["name"] != old
    wait_until(lambda: "hello" in page((pods[0], port)), 20,
               message="the replacement serves the page")


def test_sidecar_reads_the_apps_log_through_a_shared_emptydir(cluster, manifest):
    cluster.k("apply", "-f", "-", input=manifest("process-sidecar.yaml"))
    pod = cluster.wait_ready("demo", "logger")
    assert cluster.status_row("demo", "logger")[1] == "2/2"
    agent = cluster.agent(pod["spec"]["nodeName"])
    wait_until(lambda: "line 2" in agent.logs("demo", "logger", "shipper"), 30,
               message="the shipper's output")
    out, _, _ = agent.exec("demo", "logger", "shipper", ["sh", "-c", "wc -l < app.log"])
    assert int(out.decode()) >= 2


def test_init_containers_gate_the_main_container(cluster, manifest, tmp_path):
    gate = tmp_path / "gate"
    cluster.k("apply", "-f", "-", input=manifest("process-init.yaml").replace("GATE", str(gate)))
    wait_until(lambda: cluster.status_row("demo", "gated")[2] == "Init:0/2", 30,
               message="Init:0/2 while waiting for the flag")
    pod = cluster.pod("demo", "gated")
    assert pod["status"]["phase"] == "Pending"
    init = {c["type"]: c for c in pod["status"]["conditions"]}["Initialized"]
    assert init["status"] == "False" and init["reason"] == "ContainersNotInitialized"
    assert pod["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] == "PodInitializing"
    (gate / "ready").write_text("")
    pod = cluster.wait_ready("demo", "gated")
    inits = pod["status"]["initContainerStatuses"]
    assert [c["state"]["terminated"]["reason"] for c in inits] == ["Completed", "Completed"]
    agent = cluster.agent(pod["spec"]["nodeName"])
    wait_until(lambda: agent.logs("demo", "gated", "main") == "prepared\n", 20,
               message="main printed the state init prepared")
    assert "waiting" in agent.logs("demo", "gated", "wait-for-flag")
