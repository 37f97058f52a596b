"""cluster.md item 1 on real agents: nodes registered by pilothouse-agent look like kubelet's to
kubectl and the Python client; a stopped agent's node turns NotReady within the grace period, gets
the unreachable taint and loses its pods after their toleration; restarted, it is Ready again."""

import json
import os
import re
import sys
import time
from datetime import datetime

import pytest

from agentcluster import free_port, start_cluster, stop_cluster
from pilot_agent import Agent, wait_until


@pytest.fixture(scope="module")
def cluster(engine, agent_binary, agent_runtime, tmp_path_factory):
    c = start_cluster(engine, agent_binary, agent_runtime, tmp_path_factory.mktemp("agents"))
    yield c
    stop_cluster(c)


def ready_condition(cluster, node: str) -> dict:
    conditions = cluster.kjson("get", "node", node)["status"]["conditions"]
    return next(c for c in conditions if c["type"] == "Ready")


def ready_status(cluster, node: str) -> str:
    return ready_condition(cluster, node)["status"]


def run_pod_tolerating_unreachable(cluster, name: str, node: str, grace: int, seconds: int):
    """A sleeping pod on `node` that tolerates an unreachable node for `seconds`, Ready."""
    cluster.k("apply", "-f", "-", input=f"""apiVersion: v1
kind: Pod
metadata: {{name: {name}, namespace: default}}
spec:
  nodeSelector: {{kubernetes.io/hostname: {node}}}
  terminationGracePeriodSeconds: {grace}
  tolerations:
  - {{key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: {seconds}}}
  containers:
  - {{name: c, image: busybox:1.36, command: ["sleep", "3600"]}}
""")
    cluster.wait_ready("default", name)


def has_unreachable_taint(cluster, node: str) -> bool:
    return any(t["key"] == "node.kubernetes.io/unreachable"
               for t in cluster.kjson("get", "node", node)["spec"].get("taints", []))


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


def test_grpc_probes_only_check_the_port_and_say_so(cluster):
    """This agent has no gRPC client: a grpc probe passes when its port accepts connections, with
    a ProbeWarning event saying the health service was not asked (kubelet's probe.Warning)."""
    port = free_port()  # The process runtime's pods share the host's network.
    cluster.k("apply", "-f", "-", input=f"""apiVersion: v1
kind: Pod
metadata: {{name: grpc-probed, namespace: default}}
spec:
  nodeSelector: {{kubernetes.io/hostname: n1}}
  terminationGracePeriodSeconds: 1
  containers:
  - name: api
    image: busybox:1.36
    command: ["{sys.executable}", "-m", "http.server", "--bind", "127.0.0.1", "{port}"]
    startupProbe: {{grpc: {{port: {port}}}, periodSeconds: 1, failureThreshold: 30}}
    readinessProbe: {{grpc: {{port: {port}, service: api}}, periodSeconds: 1}}
""")
    cluster.wait_ready("default", "grpc-probed")

    def warning():
        events = cluster.kjson("get", "events", "-n", "default", "--field-selector",
                               "involvedObject.name=grpc-probed,reason=ProbeWarning")["items"]
        return next((e for e in events
                     if e["message"].startswith("Readiness probe warning:")), None)
    event = wait_until(warning, 30, message="a ProbeWarning event for the readiness probe")
    assert event["type"] == "Warning"
    assert event["source"]["component"] == "kubelet"
    assert "gRPC probes are not supported by this agent" in event["message"]
    assert f'127.0.0.1:{port} accepts connections' in event["message"]
    assert '(service "api") was not called' in event["message"]
    cluster.k("delete", "pod", "grpc-probed", "--wait=true", timeout=60)


def test_a_stopped_agent_goes_notready_and_comes_back(cluster):
    # A pod on n2 that tolerates an unreachable node for 5 s only.
    run_pod_tolerating_unreachable(cluster, "on-n2", "n2", grace=2, seconds=5)
    a2 = cluster.agent("n2")
    assert a2.stop() == 0
    stopped = time.time()
    # How soon kubectl notices depends on the machine's load; when the node went NotReady is
    # what the node controller recorded: within the 50 s grace period after the last lease
    # renewal (before the stop), plus a little for the controller itself.
    def unknown():
        condition = ready_condition(cluster, "n2")
        return condition if condition["status"] == "Unknown" else None
    ready = wait_until(unknown, 90, interval=1, message="n2 NotReady after its agent stopped")
    went_unknown = datetime.fromisoformat(ready["lastTransitionTime"].replace("Z", "+00:00"))
    assert went_unknown.timestamp() - stopped <= 60, (ready, stopped)
    row = cluster.k("get", "node", "n2", "--no-headers").stdout
    assert re.match(r"n2\s+NotReady\s", row), row
    # The node controller writes the Unknown condition first and the NoExecute taint in a
    # later pass (rate-limited per zone), so the taint may follow the condition by a moment.
    wait_until(lambda: {"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"} in
               [{"key": t["key"], "effect": t["effect"]}
                for t in cluster.kjson("get", "node", "n2")["spec"].get("taints", [])],
               15, message="the unreachable NoExecute taint on n2")
    # Evicted after its 5 s toleration: marked for deletion (the agent is not there to finish).
    wait_until(lambda: cluster.pod("default", "on-n2")["metadata"].get("deletionTimestamp"), 40,
               message="eviction of the pod on the unreachable node")

    a2.start()
    wait_until(lambda: ready_status(cluster, "n2") == "True", 40, message="n2 Ready again")
    wait_until(lambda: not has_unreachable_taint(cluster, "n2"), 40,
               message="the unreachable taint removed")
    # The restarted agent finishes the eviction: the pod goes away.
    wait_until(lambda: cluster.k("get", "pod", "on-n2", "--ignore-not-found").stdout == "", 40,
               message="the evicted pod deleted by the agent")


def test_the_agent_sets_ready_again_when_the_server_marked_its_node_unknown(cluster):
    """The node lifecycle controller marks a node Unknown when it hears nothing within its grace
    period (the engine was down, the laptop slept) although the agent was fine all along. The
    agent compares with the Node as the server has it, as kubelet does, so it writes Ready=True
    at its next status update (every 10 s), not at its 5-minute report: meanwhile the node would
    carry the unreachable taint and its pods would count down to eviction."""
    run_pod_tolerating_unreachable(cluster, "on-n1", "n1", grace=1, seconds=60)
    assert ready_status(cluster, "n1") == "True"
    # What the node controller writes (its lease stays fresh, so it does not do so itself: the
    # agent renews it every 10 s). The old heartbeat is kept, as the controller keeps it.
    marked_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    patch = {"status": {"conditions": [{
        "type": "Ready", "status": "Unknown", "reason": "NodeStatusUnknown",
        "message": "Kubelet stopped posting node status.", "lastTransitionTime": marked_at}]}}
    patched = json.loads(cluster.k("patch", "node", "n1", "--subresource=status",
                                   "--type=strategic", "-p", json.dumps(patch), "-o",
                                   "json").stdout)
    assert {c["type"]: c["status"] for c in patched["status"]["conditions"]}["Ready"] == \
        "Unknown"

    def ready_again():
        condition = ready_condition(cluster, "n1")
        return condition if condition["status"] == "True" else None
    ready = wait_until(ready_again, 15, interval=0.5,
                       message="n1 Ready again within one status update period")
    assert ready["reason"] == "KubeletReady"
    assert ready["message"] == "kubelet is posting ready status"
    assert ready["lastTransitionTime"] >= marked_at, ready
    assert re.match(r"n1\s+Ready\s", cluster.k("get", "node", "n1", "--no-headers").stdout)
    # The node controller lifts the unreachable taint it may have set meanwhile, and the pod,
    # which tolerates an unreachable node for 60 s, was never marked for eviction.
    wait_until(lambda: not has_unreachable_taint(cluster, "n1"), 30,
               message="no unreachable taint on n1")
    pod = cluster.pod("default", "on-n1")
    assert not pod["metadata"].get("deletionTimestamp"), pod["metadata"]
    cluster.k("delete", "pod", "on-n1", "--wait=true", timeout=60)


def test_a_node_below_its_eviction_threshold_reports_disk_pressure_and_takes_no_pods(
        cluster, agent_binary, tmp_path):
    """kubelet's --eviction-hard: below a threshold the node reports DiskPressure, the node
    lifecycle controller taints it node.kubernetes.io/disk-pressure:NoSchedule and the scheduler
    places nothing there, saying why. 1Ei of free space is more than any disk here has."""
    first = cluster.agents[0]
    full = Agent(agent_binary, cluster.engine, "n-full", tmp_path / "full", runtime=first.runtime,
                 extra_args=[*first.extra_args, "--eviction-hard",
                             "memory.available<100Mi,nodefs.available<1Ei"]).start()
    try:
        def disk_pressure():
            node = cluster.kjson("get", "node", "n-full")
            conditions = {c["type"]: c for c in node["status"].get("conditions", [])}
            taints = node["spec"].get("taints", [])
            tainted = any(t["key"] == "node.kubernetes.io/disk-pressure" for t in taints)
            return (conditions, taints) if conditions.get("DiskPressure", {}).get(
                "status") == "True" and tainted else None
        conditions, taints = wait_until(disk_pressure, 30,
                                        message="DiskPressure and its taint on n-full")
        assert conditions["DiskPressure"]["reason"] == "KubeletHasDiskPressure"
        assert conditions["DiskPressure"]["message"] == "kubelet has disk pressure"
        assert conditions["MemoryPressure"]["status"] == "False"
        assert conditions["Ready"]["status"] == "True"
        assert {"key": "node.kubernetes.io/disk-pressure", "effect": "NoSchedule"} in \
            [{"key": t["key"], "effect": t["effect"]} for t in taints]
        # Allocatable storage is what the 1Ei threshold leaves of the disk: nothing.
        node = cluster.kjson("get", "node", "n-full")
        assert node["status"]["allocatable"]["ephemeral-storage"] == "0"

        cluster.k("apply", "-f", "-", input="""apiVersion: v1
kind: Pod
metadata: {name: on-full, namespace: default}
spec:
  nodeSelector: {kubernetes.io/hostname: n-full}
  containers:
  - {name: c, image: busybox:1.36, command: ["sleep", "3600"]}
""")

        def unschedulable():
            events = cluster.kjson("get", "events", "-n", "default", "--field-selector",
                                   "involvedObject.name=on-full,reason=FailedScheduling")["items"]
            return events[-1] if events else None
        event = wait_until(unschedulable, 30, message="FailedScheduling for the pod on n-full")
        assert "node.kubernetes.io/disk-pressure" in event["message"], event["message"]
        pod = cluster.pod("default", "on-full")
        assert pod["status"]["phase"] == "Pending"
        assert not pod["spec"].get("nodeName")
    finally:
        cluster.k("delete", "pod", "on-full", "--ignore-not-found", "--wait=true", timeout=60)
        full.stop()
        full.remove_containers()
        cluster.k("delete", "node", "n-full", "--ignore-not-found")
