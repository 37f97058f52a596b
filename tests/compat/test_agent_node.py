"""cluster.md item 1 on real agents: nodes registered by pilothouse-agent look like kubelet's to
kubectl and the Python client; a stopped agent's node turns NotReady within the grace period, gets
the unreachable taint and loses its pods after their toleration; restarted, it is Ready again."""

import os
import re
import time

import pytest

from agentcluster import start_cluster, stop_cluster
from pilot_agent import wait_until


@pytest.fixture(scope="module")
def cluster(engine, agent_binary, agent_runtime, tmp_path_factory):
    c = start_cluster(engine, agent_binary, agent_runtime, tmp_path_factory.mktemp("agents"))
    yield c
    stop_cluster(c)


def ready_status(cluster, node: str) -> str:
    conditions = cluster.kjson("get", "node", node)["status"]["conditions"]
    return next(c["status"] for c in conditions if c["type"] == "Ready")


def test_nodes_are_ready_with_what_kubelet_reports(cluster):
    rows = cluster.k("get", "nodes", "-o", "wide", "--no-headers").stdout.splitlines()
    assert len(rows) == 2, rows
    kernel = os.uname().release
    for row in rows:
        assert re.match(r"n[12]\s+Ready\s+<none>\s+\S+\s+v1\.32\.0\s+127\.0\.0\.1\s", row), row
        assert kernel in row
        assert f"{cluster.agents[0].kind}://" in row
    node = cluster.kjson("get", "node", "n1")
    status = node["status"]
    assert status["capacity"]["cpu"] == str(os.cpu_count())
    assert status["capacity"]["pods"] == "110"
    assert status["capacity"]["memory"].endswith("Ki")
    for key in ("cpu", "memory", "pods", "ephemeral-storage"):
        assert key in status["allocatable"]
    labels = node["metadata"]["labels"]
    assert labels["kubernetes.io/hostname"] == "n1"
    assert labels["kubernetes.io/os"] == "linux"
    assert labels["kubernetes.io/arch"] in ("amd64", "arm64")
    info = status["nodeInfo"]
    assert info["kernelVersion"] == kernel
    assert info["containerRuntimeVersion"].startswith(cluster.agents[0].kind + "://")
    assert {a["type"]: a["address"] for a in status["addresses"]} == \
        {"InternalIP": "127.0.0.1", "Hostname": "n1"}
    conditions = {c["type"]: c for c in status["conditions"]}
    assert conditions["Ready"]["reason"] == "KubeletReady"
    assert conditions["MemoryPressure"]["reason"] == "KubeletHasSufficientMemory"
    assert conditions["DiskPressure"]["status"] == "False"
    assert conditions["PIDPressure"]["status"] == "False"
    assert status["daemonEndpoints"]["kubeletEndpoint"]["Port"] == cluster.agents[0].port


def test_python_client_lists_the_nodes(cluster):
    from kubernetes import client, config

    api = client.CoreV1Api(config.new_client_from_config(cluster.engine.kubeconfig))
    nodes = {n.metadata.name: n for n in api.list_node().items}
    assert set(nodes) == {"n1", "n2"}
    assert nodes["n2"].status.node_info.architecture in ("amd64", "arm64")


def test_lease_is_renewed_and_shown_by_describe(cluster):
    first = cluster.kjson("get", "lease", "n1", "-n", "kube-node-lease")
    assert first["spec"]["holderIdentity"] == "n1"
    assert first["spec"]["leaseDurationSeconds"] == 40
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$", first["spec"]["renewTime"])
    owner = first["metadata"]["ownerReferences"][0]
    assert owner["kind"] == "Node" and owner["name"] == "n1"
    wait_until(lambda: cluster.kjson("get", "lease", "n1", "-n", "kube-node-lease")["spec"]
               ["renewTime"] != first["spec"]["renewTime"], 25, message="a renewed lease")
    described = cluster.k("describe", "node", "n1").stdout
    assert "HolderIdentity:  n1" in described
    assert "kubelet is posting ready status" in described


def test_a_stopped_agent_goes_notready_and_comes_back(cluster):
    # A pod on n2 that tolerates an unreachable node for 5 s only.
    cluster.k("apply", "-f", "-", input="""apiVersion: v1
kind: Pod
metadata: {name: on-n2, namespace: default}
spec:
  nodeSelector: {kubernetes.io/hostname: n2}
  terminationGracePeriodSeconds: 2
  tolerations:
  - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 5}
  containers:
  - {name: c, image: busybox:1.36, command: ["sleep", "3600"]}
""")
    cluster.wait_ready("default", "on-n2")
    a2 = cluster.agent("n2")
    assert a2.stop() == 0
    stopped = time.monotonic()
    wait_until(lambda: ready_status(cluster, "n2") == "Unknown", 70, interval=1,
               message="n2 NotReady after its agent stopped")
    assert time.monotonic() - stopped <= 65
    row = cluster.k("get", "node", "n2", "--no-headers").stdout
    assert re.match(r"n2\s+NotReady\s", row), row
    taints = cluster.kjson("get", "node", "n2")["spec"].get("taints", [])
    assert {"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"} in \
        [{"key": t["key"], "effect": t["effect"]} for t in taints]
    # Evicted after its 5 s toleration: marked for deletion (the agent is not there to finish).
    wait_until(lambda: cluster.pod("default", "on-n2")["metadata"].get("deletionTimestamp"), 40,
               message="eviction of the pod on the unreachable node")

    a2.start()
    wait_until(lambda: ready_status(cluster, "n2") == "True", 40, message="n2 Ready again")
    wait_until(lambda: not any(t["key"] == "node.kubernetes.io/unreachable" for t in
                               cluster.kjson("get", "node", "n2")["spec"].get("taints", [])),
               40, message="the unreachable taint removed")
    # The restarted agent finishes the eviction: the pod goes away.
    wait_until(lambda: cluster.k("get", "pod", "on-n2", "--ignore-not-found").stdout == "", 40,
               message="the evicted pod deleted by the agent")
