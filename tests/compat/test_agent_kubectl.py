"""cluster.md items 2 and 13 through the engine, as a user types them: `kubectl logs`
(`--tail`, `-f`, `--previous`, `--timestamps`), `kubectl exec` (output, stdin, exit codes) and the
Python client's exec stream reach the pod's agent through the engine's pods/log and pods/exec
proxy; `kubectl top nodes` and `kubectl top pods` read metrics.k8s.io, which the engine computes
from the agents' statistics."""

import re
import subprocess
import time

import pytest

from agentcluster import start_cluster, stop_cluster
from pilot_agent import wait_until


@pytest.fixture(scope="module")
def cluster(engine, agent_binary, agent_runtime, tmp_path_factory):
    c = start_cluster(engine, agent_binary, agent_runtime, tmp_path_factory.mktemp("agents"),
                      count=1)
    yield c
    stop_cluster(c)


@pytest.fixture(scope="module")
def counter(cluster):
    cluster.k("run", "counter", "--image=busybox:1.36", "--restart=Never", "--command", "--",
              "sh", "-c", "i=0; while true; do echo line $i; i=$((i+1)); sleep 0.2; done")
    cluster.wait_ready("default", "counter")
    wait_until(lambda: "line 3" in cluster.k("logs", "counter").stdout, 30,
               message="counter logged a few lines")
    return "counter"


def test_logs_tail_timestamps_and_errors(cluster, counter):
    tail = cluster.k("logs", counter, "--tail=2").stdout.splitlines()
    assert len(tail) == 2 and all(re.fullmatch(r"line \d+", l) for l in tail), tail
    stamped = cluster.k("logs", counter, "--tail=1", "--timestamps").stdout.strip()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z line \d+", stamped), stamped
    wrong = cluster.k("logs", counter, "-c", "nope", check=False)
    assert wrong.returncode != 0
    assert "container nope is not valid for pod counter" in wrong.stderr, wrong.stderr


def test_logs_follow_streams_new_lines(cluster, counter):
    proc = subprocess.Popen(cluster.engine.kubectl_args("logs", "-f", counter, "--tail=1"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        seen = [proc.stdout.readline().strip() for _ in range(4)]
    finally:
        proc.kill()
        proc.wait()
    numbers = [int(l.split()[1]) for l in seen]
    assert numbers == sorted(numbers) and numbers[-1] - numbers[0] == 3, seen


def test_exec_output_stdin_and_exit_code(cluster, counter):
    assert cluster.k("exec", counter, "--", "echo", "hello from exec").stdout == \
        "hello from exec\n"
    piped = cluster.k("exec", "-i", counter, "--", "cat", input="through stdin\n")
    assert piped.stdout == "through stdin\n"
    failed = cluster.k("exec", counter, "--", "sh", "-c", "echo out; exit 3", check=False)
    assert failed.returncode == 3 and failed.stdout == "out\n"
    assert "command terminated with exit code 3" in failed.stderr, failed.stderr


def test_python_client_exec_and_log(cluster, counter):
    from kubernetes import client, config
    from kubernetes.stream import stream
    api = client.CoreV1Api(config.new_client_from_config(cluster.engine.kubeconfig))
    out = stream(api.connect_get_namespaced_pod_exec, counter, "default",
                 command=["sh", "-c", "echo to-stdout; echo to-stderr >&2"],
                 stderr=True, stdin=False, stdout=True, tty=False)
    assert "to-stdout" in out and "to-stderr" in out, out
    assert re.fullmatch(r"line \d+\n", api.read_namespaced_pod_log(counter, "default",
                                                                   tail_lines=1))


def test_logs_previous_after_a_restart(cluster):
    cluster.k("run", "crasher", "--image=busybox:1.36", "--restart=Always", "--command", "--",
              "sh", "-c", "echo run $(date +%s%N); sleep 0.5; exit 1")
    wait_until(lambda: cluster.pod("default", "crasher")["status"].get(
        "containerStatuses", [{}])[0].get("restartCount", 0) >= 1, 60,
        message="crasher restarted once")
    previous = cluster.k("logs", "crasher", "--previous").stdout
    assert re.fullmatch(r"run \d+\n", previous), previous
    cluster.k("delete", "pod", "crasher", "--grace-period=1")


def test_top_nodes_and_pods(cluster, counter):
    def top(*args):
        res = cluster.k("top", *args, check=False)
        return res.stdout if res.returncode == 0 else None
    nodes = wait_until(lambda: top("nodes"), 60, interval=1, message="kubectl top nodes")
    row = nodes.splitlines()[1].split()
    assert row[0] == "n1" and re.fullmatch(r"\d+m", row[1]) and re.fullmatch(r"\d+Mi", row[3]), \
        nodes
    pods = wait_until(lambda: top("pods") if counter in (top("pods") or "") else None, 60,
                      interval=1, message="kubectl top pods lists the counter")
    line = next(l for l in pods.splitlines() if l.startswith(counter))
    cpu, memory = line.split()[1:3]
    assert re.fullmatch(r"\d+m", cpu) and re.fullmatch(r"\d+Mi", memory), line
