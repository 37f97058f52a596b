"""cluster.md items 8 and 9 on real agents (process runtime unless --agent-runtime says
otherwise): a DaemonSet follows the nodes as agents join and leave, respects tolerations and
rolls out one node at a time; a StatefulSet behind a headless Service gets ordered pods, each with
its own dynamically provisioned local volume whose data outlives the pod.

The acceptance manifests are used as written with runc; the process runtime uses their
`process-` variants (volumes are the working directory there: they stay at host paths). Both get
a 2 s termination grace period, since a shell as a container's PID 1 ignores SIGTERM."""

import re
import threading

import pytest

from agentcluster import MANIFESTS, start_cluster, stop_cluster
from pilot_agent import Agent, wait_until

NS = "demo"


@pytest.fixture(scope="module")
def cluster(engine, agent_binary, agent_runtime, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("agents")
    c = start_cluster(engine, agent_binary, agent_runtime, tmp)
    c.tmp, c.binary = tmp, agent_binary
    engine.k("create", "namespace", NS)
    yield c
    stop_cluster(c)


def manifest_for(cluster, name: str) -> str:
    """The acceptance manifest (runc) or its process-runtime variant, with a short grace."""
    process = cluster.agents[0].kind == "process"
    text = (MANIFESTS / (f"process-{name}" if process else name)).read_text()
    if "terminationGracePeriodSeconds" not in text:
        text = re.sub(r"(\n    spec:\n)(\s+)", r"\1\2terminationGracePeriodSeconds: 2\n\2", text,
                      count=1)
    return text


def node_names(cluster) -> list[str]:
    return sorted(a.node_name for a in cluster.agents)


def ds_pods(cluster) -> list[dict]:
    return [p for p in cluster.pods(NS, "name=node-probe")
            if not p["metadata"].get("deletionTimestamp")]


def placement(cluster) -> list[str]:
    return sorted(p["spec"].get("nodeName", "") for p in ds_pods(cluster))


def rollout_status(cluster, target: str) -> str:
    out = cluster.k("rollout", "status", target, "-n", NS, "--timeout=90s", timeout=100).stdout
    assert "successfully rolled out" in out or "roll out complete" in out, out
    return out


def test_daemonset_runs_one_pod_per_node(cluster):
    cluster.k("apply", "-f", "-", input=manifest_for(cluster, "daemonset.yaml"))
    rollout_status(cluster, "ds/node-probe")
    assert placement(cluster) == node_names(cluster)
    pods = cluster.wait_selector_ready(NS, "name=node-probe", 2)
    # The hostPath volume is the node's /proc: the pod prints the load average.
    name = pods[0]["metadata"]["name"]
    wait_until(lambda: re.search(r"^\d+\.\d+ \d+\.\d+ \d+\.\d+ \d+/\d+ \d+$",
                                 cluster.k("logs", "-n", NS, name).stdout, re.M), 30,
               message="the probe's output")
    row = cluster.k("get", "ds", "node-probe", "-n", NS, "--no-headers").stdout.split()
    assert row[1:6] == ["2", "2", "2", "2", "2"], row


def test_daemonset_rolls_out_one_node_at_a_time_on_tolerated_taints(cluster):
    k = cluster.k
    n1, n2 = node_names(cluster)
    if cluster.registry:
        cluster.registry.add_tag("1.37")
    # The manifest tolerates `dedicated`: n2's pod stays and is replaced there.
    k("taint", "node", n2, "dedicated=infra:NoSchedule")
    before = {p["metadata"]["name"] for p in ds_pods(cluster)}
    fewest = [2]
    done = threading.Event()

    def sample():
        while not done.is_set():
            ready = [p for p in ds_pods(cluster) if any(
                c["type"] == "Ready" and c["status"] == "True"
                for c in p["status"].get("conditions", []))]
            fewest[0] = min(fewest[0], len(ready))
            done.wait(0.2)  # the sampling period
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        k("set", "image", "ds/node-probe", "-n", NS, "probe=busybox:1.37")
        rollout_status(cluster, "ds/node-probe")
    finally:
        done.set()
        sampler.join(30)
    assert fewest[0] >= 1, "maxUnavailable 1: one node always had a ready pod"
    pods = cluster.wait_selector_ready(NS, "name=node-probe", 2)
    assert not before & {p["metadata"]["name"] for p in pods}
    assert sorted(p["spec"]["nodeName"] for p in pods) == [n1, n2]
    history = k("rollout", "history", "ds/node-probe", "-n", NS).stdout
    assert re.search(r"^1\s", history, re.M) and re.search(r"^2\s", history, re.M), history

    # A NoExecute taint the pods do not tolerate evicts n1's pod and keeps it away.
    k("taint", "node", n1, "blocked=yes:NoExecute")
    try:
        k("wait", "--timeout=60s", "ds/node-probe", "-n", NS,
          "--for=jsonpath={.status.desiredNumberScheduled}=1")
        wait_until(lambda: placement(cluster) == [n2], 60, message="n1's pod evicted")
    finally:
        k("taint", "node", n1, "blocked=yes:NoExecute-")
    k("taint", "node", n2, "dedicated=infra:NoSchedule-")
    # Without the taint n1 is eligible again and gets its pod back.
    wait_until(lambda: placement(cluster) == [n1, n2], 60, message="n1's pod back")
    pods = cluster.wait_selector_ready(NS, "name=node-probe", 2)
    assert sorted(p["spec"]["nodeName"] for p in pods) == [n1, n2]


def test_daemonset_places_a_pod_on_a_node_that_joins(cluster):
    first = cluster.agents[0]
    name = first.node_name.replace("n1", "n3", 1)
    late = Agent(cluster.binary, cluster.engine, name, cluster.tmp / "agent3",
                 runtime=first.runtime, extra_args=first.extra_args).start()
    cluster.agents.append(late)  # stop_cluster stops it if a check below fails
    cluster.k("wait", "--for=condition=Ready", "node", name, "--timeout=60s")
    cluster.k("wait", "--timeout=60s", "ds/node-probe", "-n", NS,
              "--for=jsonpath={.status.numberReady}=3")
    assert placement(cluster) == node_names(cluster)

    # The node leaves: marked out of service (upstream's taint for a node that is shut down),
    # its DaemonSet pod is evicted and stopped by its agent; then the agent stops for good and
    # the Node is deleted.
    cluster.k("taint", "node", name, "node.kubernetes.io/out-of-service=nodeshutdown:NoExecute")
    cluster.k("wait", "--timeout=60s", "pods", "-n", NS, "-l", "name=node-probe",
              f"--field-selector=spec.nodeName={name}", "--for=delete")
    cluster.k("wait", "--timeout=60s", "ds/node-probe", "-n", NS,
              "--for=jsonpath={.status.desiredNumberScheduled}=2")
    assert late.stop() == 0
    cluster.retire(late)  # stop_cluster still removes its pod bridge
    cluster.k("delete", "node", name)
    assert placement(cluster) == node_names(cluster)
    wait_until(lambda: cluster.k("get", "ds", "node-probe", "-n", NS, "--no-headers").stdout
               .split()[1:6] == ["2", "2", "2", "2", "2"], 30, message="DESIRED..AVAILABLE 2")


def db_path(cluster, file: str) -> str:
    return file if cluster.agents[0].kind == "process" else f"/data/{file}"


def test_statefulset_creates_ordered_pods_with_their_own_volumes(cluster):
    k = cluster.k
    k("apply", "-f", "-", input=manifest_for(cluster, "statefulset.yaml"))
    out = k("rollout", "status", "sts/db", "-n", NS, "--timeout=90s", timeout=100).stdout
    assert "partitioned roll out complete: 3 new pods have been updated" in out, out
    pods = {p["metadata"]["name"]: p for p in cluster.pods(NS, "app=db")}
    assert sorted(pods) == ["db-0", "db-1", "db-2"]
    # In order: each pod was created only once the one before it was Ready.
    for i in (1, 2):
        ready = {c["type"]: c for c in pods[f"db-{i - 1}"]["status"]["conditions"]}["Ready"]
        assert ready["lastTransitionTime"] <= pods[f"db-{i}"]["metadata"]["creationTimestamp"]
    k("wait", "--timeout=30s", "pvc", "--all", "-n", NS, "--for=jsonpath={.status.phase}=Bound")
    claims = {c["metadata"]["name"]: c for c in cluster.kjson("get", "pvc", "-n", NS)["items"]}
    assert sorted(claims) == ["data-db-0", "data-db-1", "data-db-2"]
    volumes = {c["spec"]["volumeName"] for c in claims.values()}
    assert len(volumes) == 3
    for i in range(3):
        pod = pods[f"db-{i}"]
        claim = [v for v in pod["spec"]["volumes"] if v["name"] == "data"][0]
        assert claim["persistentVolumeClaim"]["claimName"] == f"data-db-{i}"
        pv = cluster.kjson("get", "pv", claims[f"data-db-{i}"]["spec"]["volumeName"])
        assert pv["spec"]["claimRef"]["name"] == f"data-db-{i}"
        assert pv["metadata"]["annotations"]["pv.kubernetes.io/provisioned-by"] == \
            "pilothouse.io/local-path"
        # The default class binds on the first consumer (WaitForFirstConsumer, as upstream's
        # local-path-provisioner): the scheduler picked the pod's node for the claim and the
        # `local` volume is pinned to it.
        assert claims[f"data-db-{i}"]["metadata"]["annotations"][
            "volume.kubernetes.io/selected-node"] == pod["spec"]["nodeName"]
        assert "local" in pv["spec"], pv
        assert pv["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"][0][
            "matchExpressions"][0]["values"] == [pod["spec"]["nodeName"]]
        # Each pod wrote its own identity into its own volume.
        assert k("logs", "-n", NS, f"db-{i}").stdout.strip() == f"db-{i}"
        assert k("exec", "-n", NS, f"db-{i}", "--", "cat", db_path(cluster, "id")).stdout \
            .strip() == f"db-{i}"
    # The headless Service lists the ready pods.
    slices = cluster.kjson("get", "endpointslices", "-n", NS,
                           "-l", "kubernetes.io/service-name=db")["items"]
    hostnames = sorted(e.get("hostname", "") for s in slices for e in s.get("endpoints") or [])
    assert hostnames == ["db-0", "db-1", "db-2"], slices


def test_volume_data_survives_pod_deletion(cluster):
    k = cluster.k
    k("exec", "-n", NS, "db-0", "--", "sh", "-c", f"echo keep-me > {db_path(cluster, 'note')}")
    uid = cluster.pod(NS, "db-0")["metadata"]["uid"]
    k("delete", "pod", "db-0", "-n", NS, timeout=60)
    pod = wait_until(lambda: (lambda p: p if p["metadata"]["uid"] != uid else None)(
        cluster.wait_ready(NS, "db-0")), 60, message="db-0 recreated")
    assert [v for v in pod["spec"]["volumes"] if v["name"] == "data"][0][
        "persistentVolumeClaim"]["claimName"] == "data-db-0"
    assert k("exec", "-n", NS, "db-0", "--", "cat", db_path(cluster, "note")).stdout == \
        "keep-me\n"
    assert k("logs", "-n", NS, "db-0").stdout.strip() == "db-0"


def test_scale_down_removes_the_highest_ordinal_first(cluster):
    k = cluster.k
    order: list[str] = []
    done = threading.Event()

    def sample():
        while not done.is_set():
            live = {p["metadata"]["name"] for p in cluster.pods(NS, "app=db")
                    if not p["metadata"].get("deletionTimestamp")}
            for name in ("db-2", "db-1"):
                if name not in live and name not in order:
                    order.append(name)
            done.wait(0.1)  # the sampling period
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        k("scale", "sts/db", "-n", NS, "--replicas=1")
        k("wait", "--timeout=60s", "sts/db", "-n", NS, "--for=jsonpath={.status.replicas}=1")
        k("wait", "--timeout=60s", "pods", "db-1", "db-2", "-n", NS, "--for=delete")
    finally:
        done.set()
        sampler.join(30)
    assert order == ["db-2", "db-1"], order
    assert [p["metadata"]["name"] for p in cluster.pods(NS, "app=db")] == ["db-0"]
    # The claims stay (whenScaled: Retain) for when the set grows again.
    claims = sorted(c["metadata"]["name"] for c in cluster.kjson("get", "pvc", "-n", NS)["items"])
    assert claims == ["data-db-0", "data-db-1", "data-db-2"]
