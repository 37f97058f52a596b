"""Rollouts as kubectl sees them (Engine II): scheduler and workload controllers against
simulated nodes (pilot-simnodes registers nodes, renews leases and reports bound pods Running,
as a node agent would)."""

import re
import subprocess

import pytest

from pilot_engine import LineReader


@pytest.fixture(scope="module")
def cluster(engine, simnodes_binary):
    proc = subprocess.Popen([simnodes_binary, "--kubeconfig", engine.kubeconfig, "--count", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    LineReader(proc).wait_for(lambda l: l.startswith("ready nodes=2"), timeout=30)
    yield engine
    proc.terminate()
    proc.wait(10)


def test_nodes_are_ready(cluster):
    rows = cluster.k("get", "nodes", "--no-headers").stdout.splitlines()
    assert len(rows) == 2 and all(re.search(r"\sReady\s", r) for r in rows), rows


def test_rollout_history_undo_pause_restart(cluster, manifest):
    k = cluster.k
    k("create", "namespace", "roll")
    web = manifest("web.yaml").replace("namespace: demo", "namespace: roll")
    k("apply", "-f", "-", input=web)
    out = k("rollout", "status", "deploy/web", "-n", "roll", "--timeout=60s").stdout
    assert 'deployment "web" successfully rolled out' in out, out
    pods = k("get", "pods", "-n", "roll", "-l", "app=web", "-o", "wide", "--no-headers").stdout
    assert len(pods.splitlines()) == 3
    assert all(re.search(r"1/1\s+Running\s+0\s+\S+\s+10\.244\.\S+\s+sim-node-\d", line)
               for line in pods.splitlines()), pods

    k("set", "image", "deploy/web", "-n", "roll", "web=busybox:1.37")
    out = k("rollout", "status", "deploy/web", "-n", "roll", "--timeout=60s").stdout
    assert "successfully rolled out" in out
    history = k("rollout", "history", "deploy/web", "-n", "roll").stdout
    assert re.search(r"^1\s+first release$", history, re.M), history
    assert re.search(r"^2\s+first release$", history, re.M), history
    assert len(k("get", "rs", "-n", "roll", "-o", "name").stdout.split()) == 2

    k("rollout", "undo", "deploy/web", "-n", "roll")
    k("rollout", "status", "deploy/web", "-n", "roll", "--timeout=60s")
    d = cluster.kjson("get", "deploy", "web", "-n", "roll")
    assert d["spec"]["template"]["spec"]["containers"][0]["image"] == "busybox:1.36"
    assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"
    assert len(k("get", "rs", "-n", "roll", "-o", "name").stdout.split()) == 2  # reused

    k("rollout", "pause", "deploy/web", "-n", "roll")
    k("set", "image", "deploy/web", "-n", "roll", "web=busybox:1.38")
    d = cluster.kjson("get", "deploy", "web", "-n", "roll")
    assert d["spec"]["paused"] is True
    assert len(k("get", "rs", "-n", "roll", "-o", "name").stdout.split()) == 2  # no rollout
    k("rollout", "resume", "deploy/web", "-n", "roll")
    k("rollout", "status", "deploy/web", "-n", "roll", "--timeout=60s")
    assert len(k("get", "rs", "-n", "roll", "-o", "name").stdout.split()) == 3

    k("rollout", "restart", "deploy/web", "-n", "roll")
    out = k("rollout", "status", "deploy/web", "-n", "roll", "--timeout=60s").stdout
    assert "successfully rolled out" in out
    k("scale", "deploy/web", "-n", "roll", "--replicas=5")
    k("rollout", "status", "deploy/web", "-n", "roll", "--timeout=60s")
    ready = k("get", "deploy", "web", "-n", "roll", "-o", "jsonpath={.status.readyReplicas}")
    assert ready.stdout == "5"


def test_unschedulable_pod_reports_why(cluster):
    k = cluster.k
    k("create", "namespace", "sched")
    k("apply", "-f", "-", input="""apiVersion: v1
kind: Pod
metadata: {name: huge, namespace: sched}
spec:
  containers:
  - name: main
    image: busybox:1.36
    resources: {requests: {cpu: "100"}}
""")
    k("wait", "--for=jsonpath={.status.conditions[0].reason}=Unschedulable", "pod/huge",
      "-n", "sched", "--timeout=30s")
    events = k("get", "events", "-n", "sched", "--field-selector=reason=FailedScheduling",
               "-o", "jsonpath={.items[*].message}").stdout
    assert "0/2 nodes are available: 2 Insufficient cpu." in events, events


def test_priority_classes_resolve_and_preempt(cluster):
    k = cluster.k
    k("create", "namespace", "prio")
    classes = k("get", "priorityclasses", "--no-headers").stdout
    assert re.search(r"^system-node-critical\s+2000001000\s+false", classes, re.M), classes
    k("apply", "-f", "-", input="""apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high}
value: 1000
---
apiVersion: v1
kind: Pod
metadata: {name: important, namespace: prio}
spec:
  priorityClassName: high
  containers: [{name: main, image: busybox:1.36}]
""")
    pod = cluster.kjson("get", "pod", "important", "-n", "prio")
    assert pod["spec"]["priority"] == 1000
    assert pod["spec"]["preemptionPolicy"] == "PreemptLowerPriority"
    res = k("apply", "-f", "-", check=False, input="""apiVersion: v1
kind: Pod
metadata: {name: orphan, namespace: prio}
spec:
  priorityClassName: missing
  containers: [{name: main, image: busybox:1.36}]
""")
    assert res.returncode == 1
    assert "no PriorityClass with name missing was found" in res.stderr, res.stderr


def test_higher_priority_pod_preempts(cluster):
    k = cluster.k
    k("create", "namespace", "preempt")
    filler = """apiVersion: v1
kind: Pod
metadata: {{name: {name}, namespace: preempt}}
spec:
  {cls}
  containers:
  - name: main
    image: busybox:1.36
    resources: {{requests: {{cpu: "3"}}}}
"""
    k("apply", "-f", "-", input=filler.format(name="low-a", cls=""))
    k("apply", "-f", "-", input=filler.format(name="low-b", cls=""))
    k("wait", "--for=condition=Ready", "pod/low-a", "pod/low-b", "-n", "preempt",
      "--timeout=30s")
    k("apply", "-f", "-", input="""apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: urgent}
value: 100000
""")
    k("apply", "-f", "-", input=filler.format(name="urgent", cls="priorityClassName: urgent"))
    k("wait", "--for=condition=Ready", "pod/urgent", "-n", "preempt", "--timeout=60s")
    left = k("get", "pods", "-n", "preempt", "-o", "name").stdout.split()
    assert "pod/urgent" in left and len(left) == 2, left  # one low-priority pod was evicted
    events = k("get", "events", "-n", "preempt", "--field-selector=reason=Preempted",
               "-o", "jsonpath={.items[*].message}").stdout
    assert "Preempted by pod" in events, events
