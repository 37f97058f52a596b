"""kubectl drain against PodDisruptionBudgets (Engine II): the node is cordoned, its pods are
evicted through the eviction API, which honours the disruption controller's budget, and a drain
that would violate the budget retries until its timeout, as against Kubernetes."""

import subprocess

import pytest

from pilot_engine import LineReader

APP = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: drain
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
  namespace: drain
spec:
  minAvailable: 1
  selector:
    matchLabels: {app: web}
"""


@pytest.fixture(scope="module")
def cluster(engine, simnodes_binary):
    proc = subprocess.Popen([simnodes_binary, "--kubeconfig", engine.kubeconfig, "--count", "2",
                             "--prefix", "sim-node-"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    LineReader(proc).wait_for(lambda l: l.startswith("ready nodes=2"), timeout=30)
    engine.k("create", "namespace", "drain")
    yield engine
    proc.terminate()
    proc.wait(10)


def wait_for(cluster, *args, timeout="60s"):
    return cluster.k("wait", f"--timeout={timeout}", *args).stdout


def live_pods(cluster):
    pods = cluster.kjson("get", "pods", "-n", "drain", "-l", "app=web")["items"]
    return [p for p in pods if "deletionTimestamp" not in p["metadata"]]


def test_drain_evicts_within_the_budget(cluster):
    k = cluster.k
    k("apply", "-f", "-", input=APP)
    k("rollout", "status", "deploy/web", "-n", "drain", "--timeout=60s")
    # The disruption controller has counted both pods: one may go.
    wait_for(cluster, "pdb/web", "-n", "drain", "--for=jsonpath={.status.disruptionsAllowed}=1")
    pdb = cluster.kjson("get", "pdb", "web", "-n", "drain")
    assert pdb["status"]["currentHealthy"] == 2 and pdb["status"]["desiredHealthy"] == 1
    assert pdb["status"]["expectedPods"] == 2
    assert pdb["status"]["observedGeneration"] == 1
    allowed = [c for c in pdb["status"]["conditions"] if c["type"] == "DisruptionAllowed"][0]
    assert (allowed["status"], allowed["reason"]) == ("True", "SufficientPods")

    node = live_pods(cluster)[0]["spec"]["nodeName"]
    other = "sim-node-1" if node == "sim-node-0" else "sim-node-0"
    evicted = [p["metadata"]["name"] for p in live_pods(cluster) if p["spec"]["nodeName"] == node]
    out = k("drain", node, "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=60s",
            timeout=90)
    text = out.stdout + out.stderr
    assert f"node/{node} cordoned" in text, text
    for name in evicted:
        assert f"evicting pod drain/{name}" in text, text
        assert f"pod/{name} evicted" in text, text
    assert f"node/{node} drained" in text, text

    # Cordoned: no new pods land there; the Deployment is whole again on the other node.
    assert cluster.kjson("get", "node", node)["spec"]["unschedulable"] is True
    status = k("get", "node", node, "--no-headers").stdout.split()
    assert status[1] == "Ready,SchedulingDisabled", status
    k("rollout", "status", "deploy/web", "-n", "drain", "--timeout=60s")
    pods = live_pods(cluster)
    assert len(pods) == 2 and all(p["spec"]["nodeName"] == other for p in pods), pods
    wait_for(cluster, "pdb/web", "-n", "drain", "--for=jsonpath={.status.currentHealthy}=2")
    k("uncordon", node)


def test_drain_that_would_violate_the_budget_times_out(cluster):
    k = cluster.k
    k("patch", "pdb", "web", "-n", "drain", "--type=merge", "-p", '{"spec":{"minAvailable":2}}')
    wait_for(cluster, "pdb/web", "-n", "drain", "--for=jsonpath={.status.observedGeneration}=2")
    pdb = cluster.kjson("get", "pdb", "web", "-n", "drain")
    assert pdb["status"]["disruptionsAllowed"] == 0 and pdb["status"]["desiredHealthy"] == 2
    allowed = [c for c in pdb["status"]["conditions"] if c["type"] == "DisruptionAllowed"][0]
    assert (allowed["status"], allowed["reason"]) == ("False", "InsufficientPods")

    node = live_pods(cluster)[0]["spec"]["nodeName"]
    names = sorted(p["metadata"]["name"] for p in live_pods(cluster))
    res = k("drain", node, "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=15s",
            check=False, timeout=60)
    assert res.returncode != 0, res.stdout
    assert f"node/{node} cordoned" in res.stdout + res.stderr
    retry = (f"(will retry after 5s): Cannot evict pod as it would violate the pod's "
             f"disruption budget.")
    assert any(f'error when evicting pods/"{n}" -n "drain" {retry}' in res.stderr
               for n in names), res.stderr
    assert "global timeout reached: 15s" in res.stderr, res.stderr
    assert f"node/{node} drained" not in res.stdout
    # Nothing was evicted: both pods are still there.
    assert sorted(p["metadata"]["name"] for p in live_pods(cluster)) == names
    k("uncordon", node)
