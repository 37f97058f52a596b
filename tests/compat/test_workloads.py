"""StatefulSets, DaemonSets, Services' endpoints, volumes and quotas as kubectl sees them
(Engine II), against simulated nodes: pilot-simnodes registers nodes, renews their leases and
reports bound pods Running, as a node agent would. Scenarios from cluster.md items 8, 9 and 12
with the acceptance manifests."""

import re
import subprocess

import pytest

from pilot_engine import LineReader


def start_nodes(engine, binary, count, prefix):
    proc = subprocess.Popen([binary, "--kubeconfig", engine.kubeconfig, "--count", str(count),
                             "--prefix", prefix],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    LineReader(proc).wait_for(lambda l: l.startswith(f"ready nodes={count}"), timeout=30)
    return proc


@pytest.fixture(scope="module")
def cluster(engine, simnodes_binary):
    proc = start_nodes(engine, simnodes_binary, 2, "sim-node-")
    engine.k("create", "namespace", "demo")
    yield engine
    proc.terminate()
    proc.wait(10)


def wait_for(cluster, *args, timeout="60s"):
    return cluster.k("wait", f"--timeout={timeout}", *args).stdout


def test_statefulset_ordered_pods_own_volumes(cluster, manifest):
    k = cluster.k
    k("apply", "-f", "-", input=manifest("statefulset.yaml"))
    out = k("rollout", "status", "sts/db", "-n", "demo", "--timeout=60s").stdout
    assert "partitioned roll out complete: 3 new pods have been updated" in out, out

    pods = cluster.kjson("get", "pods", "-n", "demo", "-l", "app=db")["items"]
    by_name = {p["metadata"]["name"]: p for p in pods}
    assert sorted(by_name) == ["db-0", "db-1", "db-2"]
    # Created in order: each pod started after the previous one was Ready.
    starts = [by_name[f"db-{i}"]["metadata"]["creationTimestamp"] for i in range(3)]
    assert starts == sorted(starts)
    for i in range(3):
        pod = by_name[f"db-{i}"]
        assert pod["spec"]["hostname"] == f"db-{i}" and pod["spec"]["subdomain"] == "db"
        assert pod["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"] == f"db-{i}"
        claim = [v for v in pod["spec"]["volumes"] if v["name"] == "data"][0]
        assert claim["persistentVolumeClaim"]["claimName"] == f"data-db-{i}"

    # Each claim is bound to a volume the local-path provisioner made for it on its pod's node
    # (the default class binds on the first consumer, as upstream's local-path-provisioner).
    wait_for(cluster, "pvc", "--all", "-n", "demo", "--for=jsonpath={.status.phase}=Bound")
    claims = cluster.kjson("get", "pvc", "-n", "demo")["items"]
    assert sorted(c["metadata"]["name"] for c in claims) == ["data-db-0", "data-db-1", "data-db-2"]
    for claim in claims:
        assert claim["spec"]["storageClassName"] == "standard"
        node = by_name[claim["metadata"]["name"].removeprefix("data-")]["spec"]["nodeName"]
        assert claim["metadata"]["annotations"]["volume.kubernetes.io/selected-node"] == node
        pv = cluster.kjson("get", "pv", claim["spec"]["volumeName"])
        assert pv["spec"]["claimRef"]["name"] == claim["metadata"]["name"]
        assert pv["metadata"]["annotations"]["pv.kubernetes.io/provisioned-by"] == \
            "pilothouse.io/local-path"
        assert pv["spec"]["local"]["path"].startswith(str(cluster.data_dir / "volumes")), pv
        assert pv["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"][0][
            "matchExpressions"][0]["values"] == [node]

    # Data survives pod deletion: the replacement gets the same claim.
    # (No --wait: the simulated kubelet finishes the deletion at once, and kubectl's wait can
    # then miss it when the replacement appears first, as it could against any cluster.)
    uid = by_name["db-1"]["metadata"]["uid"]
    watch = subprocess.Popen(
        cluster.kubectl_args("get", "pod", "db-1", "-n", "demo", "--watch", "-o",
                             'jsonpath={.metadata.uid} {.status.conditions[?(@.type=="Ready")]'
                             '.status}{"\\n"}'),
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        reader = LineReader(watch)
        reader.wait_for(lambda line: line.startswith(uid))  # the watch is open
        k("delete", "pod", "db-1", "-n", "demo", "--wait=false")
        reader.wait_for(
            lambda line: not line.startswith(uid) and line.endswith(" True"), timeout=60)
    finally:
        watch.terminate()
        watch.wait(10)
    again = cluster.kjson("get", "pod", "db-1", "-n", "demo")
    assert again["metadata"]["uid"] != uid
    assert [v for v in again["spec"]["volumes"] if v["name"] == "data"][0][
        "persistentVolumeClaim"]["claimName"] == "data-db-1"

    # Scale down removes the highest ordinal first; claims are retained.
    k("scale", "sts/db", "-n", "demo", "--replicas=2")
    wait_for(cluster, "pod/db-2", "-n", "demo", "--for=delete")
    names = k("get", "pods", "-n", "demo", "-l", "app=db", "-o", "name").stdout.split()
    assert names == ["pod/db-0", "pod/db-1"]
    assert len(cluster.kjson("get", "pvc", "-n", "demo")["items"]) == 3


LONE_CLAIM = """
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: scratch, namespace: wffc}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
"""

CLAIM_USER = """
apiVersion: v1
kind: Pod
metadata: {name: scratch-user, namespace: wffc}
spec:
  containers:
  - {name: main, image: busybox:1.36, command: [sleep, "3600"],
     volumeMounts: [{name: data, mountPath: /data}]}
  volumes:
  - {name: data, persistentVolumeClaim: {claimName: scratch}}
"""


def test_lone_claim_waits_for_its_first_consumer(cluster):
    k = cluster.k
    k("create", "namespace", "wffc")
    sc = cluster.kjson("get", "storageclass", "standard")
    assert sc["volumeBindingMode"] == "WaitForFirstConsumer"
    assert sc["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] == "true"
    events = subprocess.Popen(
        cluster.kubectl_args("get", "events", "-n", "wffc", "--watch",
                             "--field-selector", "involvedObject.name=scratch",
                             "-o", 'jsonpath={.reason}: {.message}{"\\n"}'),
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        k("apply", "-f", "-", input=LONE_CLAIM)
        # Alone, the claim stays Pending and says why, as with upstream's local-path class.
        LineReader(events).wait_for(
            lambda line: line == "WaitForFirstConsumer: waiting for first consumer to be "
                                 "created before binding", timeout=30)
    finally:
        events.terminate()
        events.wait(10)
    claim = cluster.kjson("get", "pvc", "scratch", "-n", "wffc")
    assert claim["status"]["phase"] == "Pending"
    assert claim["spec"]["storageClassName"] == "standard"
    assert not claim["spec"].get("volumeName")
    described = k("describe", "pvc", "scratch", "-n", "wffc").stdout
    assert re.search(r"WaitForFirstConsumer\s+.*waiting for first consumer to be created "
                     r"before binding", described), described

    # Its first consumer is scheduled: the claim binds to a volume made on that pod's node.
    k("apply", "-f", "-", input=CLAIM_USER)
    wait_for(cluster, "pvc/scratch", "-n", "wffc", "--for=jsonpath={.status.phase}=Bound")
    wait_for(cluster, "pod/scratch-user", "-n", "wffc", "--for=condition=Ready")
    node = cluster.kjson("get", "pod", "scratch-user", "-n", "wffc")["spec"]["nodeName"]
    claim = cluster.kjson("get", "pvc", "scratch", "-n", "wffc")
    assert claim["metadata"]["annotations"]["volume.kubernetes.io/selected-node"] == node
    pv = cluster.kjson("get", "pv", claim["spec"]["volumeName"])
    assert pv["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"][0][
        "matchExpressions"][0]["values"] == [node]
    assert pv["spec"]["local"]["path"].startswith(str(cluster.data_dir / "volumes")), pv
    k("delete", "namespace", "wffc", "--wait=false")


def test_statefulset_rollout_history_and_undo(cluster):
    k = cluster.k
    k("set", "image", "sts/db", "-n", "demo", "db=busybox:1.37")
    out = k("rollout", "status", "sts/db", "-n", "demo", "--timeout=60s").stdout
    assert "roll out complete" in out, out
    history = k("rollout", "history", "sts/db", "-n", "demo").stdout
    assert re.search(r"^1\s", history, re.M) and re.search(r"^2\s", history, re.M), history
    assert len(cluster.kjson("get", "controllerrevisions", "-n", "demo",
                             "-l", "app=db")["items"]) == 2
    k("rollout", "undo", "sts/db", "-n", "demo")
    k("rollout", "status", "sts/db", "-n", "demo", "--timeout=60s")
    sts = cluster.kjson("get", "sts", "db", "-n", "demo")
    assert sts["spec"]["template"]["spec"]["containers"][0]["image"] == "busybox:1.36"
    assert sts["status"]["currentRevision"] == sts["status"]["updateRevision"]
    assert len(cluster.kjson("get", "controllerrevisions", "-n", "demo",
                             "-l", "app=db")["items"]) == 2  # the first one was reused


def test_headless_service_endpoints_follow_ready_pods(cluster):
    eps = cluster.kjson("get", "endpoints", "db", "-n", "demo")
    addresses = eps["subsets"][0]["addresses"]
    assert sorted(a["hostname"] for a in addresses) == ["db-0", "db-1"]
    assert all(a["targetRef"]["kind"] == "Pod" and a["ip"].startswith("10.244.")
               for a in addresses)
    assert eps["subsets"][0]["ports"] == [{"name": "peer", "port": 7000, "protocol": "TCP"}]
    assert eps["metadata"]["labels"]["service.kubernetes.io/headless"] == ""

    slices = cluster.kjson("get", "endpointslices", "-n", "demo",
                           "-l", "kubernetes.io/service-name=db")["items"]
    assert len(slices) == 1
    assert slices[0]["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"] == \
        "endpointslice-controller.k8s.io"
    endpoints = slices[0]["endpoints"]
    assert sorted(e["targetRef"]["name"] for e in endpoints) == ["db-0", "db-1"]
    assert all(e["conditions"]["ready"] for e in endpoints)

    # The API server's own Service has its slice too, and the mirroring controller leaves it.
    apiserver = cluster.kjson("get", "endpointslices", "-n", "default",
                              "-l", "kubernetes.io/service-name=kubernetes")["items"]
    assert [s["metadata"]["name"] for s in apiserver] == ["kubernetes"]


def test_daemonset_follows_nodes(cluster, manifest, simnodes_binary):
    k = cluster.k
    k("apply", "-f", "-", input=manifest("daemonset.yaml"))
    out = k("rollout", "status", "ds/node-probe", "-n", "demo", "--timeout=60s").stdout
    assert "successfully rolled out" in out, out

    def placement():
        pods = cluster.kjson("get", "pods", "-n", "demo", "-l", "name=node-probe")["items"]
        return sorted(p["spec"].get("nodeName", "") for p in pods
                      if "deletionTimestamp" not in p["metadata"])

    assert placement() == ["sim-node-0", "sim-node-1"]

    # A tainted node keeps its pod (the manifest tolerates `dedicated`); rolling update.
    k("taint", "node", "sim-node-1", "dedicated=infra:NoSchedule")
    k("set", "image", "ds/node-probe", "-n", "demo", "probe=busybox:1.37")
    out = k("rollout", "status", "ds/node-probe", "-n", "demo", "--timeout=60s").stdout
    assert "successfully rolled out" in out, out
    pods = cluster.kjson("get", "pods", "-n", "demo", "-l", "name=node-probe")["items"]
    live = [p for p in pods if "deletionTimestamp" not in p["metadata"]]
    assert sorted(p["spec"]["nodeName"] for p in live) == ["sim-node-0", "sim-node-1"]
    assert all(p["spec"]["containers"][0]["image"] == "busybox:1.37" for p in live)

    # A node that joins later gets its pod; one that leaves is no longer counted.
    late = start_nodes(cluster, simnodes_binary, 1, "late-node-")
    try:
        k("rollout", "status", "ds/node-probe", "-n", "demo", "--timeout=60s")
        wait_for(cluster, "ds/node-probe", "-n", "demo",
                 "--for=jsonpath={.status.numberReady}=3")
        assert placement() == ["late-node-0", "sim-node-0", "sim-node-1"]
    finally:
        late.terminate()
        late.wait(10)
    k("delete", "node", "late-node-0")
    wait_for(cluster, "ds/node-probe", "-n", "demo",
             "--for=jsonpath={.status.desiredNumberScheduled}=2")
    # Its pod goes once the pod garbage collector's quarantine (40 s, as upstream) has passed.
    k("wait", "--timeout=90s", "pods", "-n", "demo", "-l", "name=node-probe",
      "--field-selector=spec.nodeName=late-node-0", "--for=delete")
    assert placement() == ["sim-node-0", "sim-node-1"]


def test_quota_refuses_and_limitrange_defaults(cluster, manifest):
    k = cluster.k
    k("create", "namespace", "quota")
    k("apply", "-f", "-", input=manifest("quota.yaml").replace("namespace: demo",
                                                              "namespace: quota"))
    wait_for(cluster, "resourcequota/compute", "-n", "quota",
             "--for=jsonpath={.status.hard.pods}=10")
    k("run", "first", "-n", "quota", "--image=busybox:1.36", "--", "sleep", "3600")
    pod = cluster.kjson("get", "pod", "first", "-n", "quota")
    resources = pod["spec"]["containers"][0]["resources"]
    assert resources == {"limits": {"cpu": "100m", "memory": "64Mi"},
                         "requests": {"cpu": "50m", "memory": "32Mi"}}, resources
    wait_for(cluster, "resourcequota/compute", "-n", "quota",
             "--for=jsonpath={.status.used.pods}=1")

    # One pod asking for more memory than the quota has left is refused, naming the quota.
    big = k("run", "big", "-n", "quota", "--image=busybox:1.36",
            "--overrides", '{"spec":{"containers":[{"name":"big","image":"busybox:1.36",'
            '"resources":{"requests":{"memory":"1Gi"},"limits":{"memory":"1Gi"}}}]}}',
            check=False)
    assert big.returncode != 0
    assert 'exceeded quota: compute, requested: requests.memory=1Gi, ' \
           'used: requests.memory=32Mi, limited: requests.memory=1Gi' in big.stderr, big.stderr
    described = k("describe", "quota", "compute", "-n", "quota").stdout
    assert re.search(r"pods\s+1\s+10", described), described
