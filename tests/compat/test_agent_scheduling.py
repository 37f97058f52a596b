"""cluster.md items 3, 10 and 12 on real agents (process runtime unless --agent-runtime says
otherwise): a Deployment rolled out, back and restarted with kubectl while the agents start and
stop its pods; the scheduler placing real pods by resources, selectors, affinity, taints and
priority; a namespace with a ResourceQuota and a LimitRange. Observed as a user would: kubectl."""

import re
import threading
import time

import pytest

from agentcluster import start_cluster, stop_cluster
from pilot_agent import wait_until


@pytest.fixture(scope="module")
def cluster(engine, agent_binary, agent_runtime, tmp_path_factory):
    c = start_cluster(engine, agent_binary, agent_runtime, tmp_path_factory.mktemp("agents"))
    yield c
    stop_cluster(c)


# manifests/web.yaml's Deployment (3 replicas, maxSurge 1, maxUnavailable 0, change-cause)
# without the listening port: on the process runtime pods share the host network, so three
# replicas (four during a rollout) cannot all bind one port. Readiness is an exec probe.
WEB = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: roll
  labels: {app: web}
  annotations:
    kubernetes.io/change-cause: "first release"
spec:
  replicas: 3
  revisionHistoryLimit: 5
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web, tier: frontend}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: web
        image: busybox:1.36
        command: ["sh", "-c", "echo serving; exec sleep 3600"]
        readinessProbe:
          exec: {command: ["true"]}
          initialDelaySeconds: 1
          periodSeconds: 1
          timeoutSeconds: 5
"""


class PodSampler:
    """Samples the Deployment's pods (what `kubectl get pods -w` shows) during a rollout: the
    most pods that existed at once and the fewest that were Ready."""

    def __init__(self, cluster, ns: str, selector: str):
        self.cluster, self.ns, self.selector = cluster, ns, selector
        self.most, self.fewest_ready, self.samples = 0, 1 << 30, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            pods = [p for p in self.cluster.pods(self.ns, self.selector)
                    if not p["metadata"].get("deletionTimestamp")]
            ready = [p for p in pods if any(c["type"] == "Ready" and c["status"] == "True"
                                            for c in p["status"].get("conditions", []))]
            self.most = max(self.most, len(pods))
            self.fewest_ready = min(self.fewest_ready, len(ready))
            self.samples += 1
            self._stop.wait(0.2)  # the sampling period, not a synchronisation

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(30)


def rollout_status(cluster, ns: str, target: str) -> str:
    out = cluster.k("rollout", "status", target, "-n", ns, "--timeout=90s", timeout=100).stdout
    assert "successfully rolled out" in out, out
    return out


def replica_sets(cluster, ns: str) -> dict[str, dict]:
    return {rs["metadata"]["name"]: rs for rs in cluster.kjson("get", "rs", "-n", ns)["items"]}


def live_pods(cluster, ns: str, selector: str) -> list[dict]:
    return [p for p in cluster.pods(ns, selector) if not p["metadata"].get("deletionTimestamp")]


def test_rolling_update_history_undo_pause_resume_restart(cluster):
    k = cluster.k
    k("create", "namespace", "roll")
    k("apply", "-f", "-", input=WEB)
    rollout_status(cluster, "roll", "deploy/web")
    first = cluster.wait_selector_ready("roll", "app=web", 3)
    first_rs = {p["metadata"]["ownerReferences"][0]["name"] for p in first}
    assert len(first_rs) == 1

    # v2: new pods come up before old ones go (maxSurge 1, maxUnavailable 0).
    with PodSampler(cluster, "roll", "app=web") as sampler:
        k("set", "image", "deploy/web", "-n", "roll", "web=busybox:1.37")
        k("annotate", "deploy/web", "-n", "roll", "--overwrite",
          "kubernetes.io/change-cause=upgrade to 1.37")
        rollout_status(cluster, "roll", "deploy/web")
    assert sampler.samples >= 3
    assert sampler.most <= 4, sampler.most
    assert sampler.fewest_ready >= 3, sampler.fewest_ready
    pods = cluster.wait_selector_ready("roll", "app=web", 3)
    assert {p["spec"]["containers"][0]["image"] for p in pods} == {"busybox:1.37"}
    assert {p["status"]["containerStatuses"][0]["image"] for p in pods} == {"busybox:1.37"}
    history = k("rollout", "history", "deploy/web", "-n", "roll").stdout
    assert re.search(r"^1\s+first release$", history, re.M), history
    assert re.search(r"^2\s+upgrade to 1\.37$", history, re.M), history
    assert len(replica_sets(cluster, "roll")) == 2

    # Undo goes back to revision 1's ReplicaSet (scaled up again, not a new one).
    k("rollout", "undo", "deploy/web", "-n", "roll")
    rollout_status(cluster, "roll", "deploy/web")
    sets = replica_sets(cluster, "roll")
    assert len(sets) == 2 and first_rs <= set(sets), (first_rs, list(sets))
    (name,) = first_rs
    assert sets[name]["spec"]["replicas"] == 3
    assert sets[name]["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"
    pods = cluster.wait_selector_ready("roll", "app=web", 3)
    assert {p["metadata"]["ownerReferences"][0]["name"] for p in pods} == first_rs
    assert {p["spec"]["containers"][0]["image"] for p in pods} == {"busybox:1.36"}
    history = k("rollout", "history", "deploy/web", "-n", "roll").stdout
    assert re.search(r"^3\s+first release$", history, re.M), history
    assert not re.search(r"^1\s", history, re.M), history

    # Paused: template changes start no rollout until resumed.
    k("rollout", "pause", "deploy/web", "-n", "roll")
    before = {p["metadata"]["name"] for p in live_pods(cluster, "roll", "app=web")}
    k("set", "image", "deploy/web", "-n", "roll", "web=busybox:1.38")
    d = cluster.kjson("get", "deploy", "web", "-n", "roll")
    assert d["spec"]["paused"] is True
    wait_until(lambda: any(c["type"] == "Progressing" and c["reason"] == "DeploymentPaused"
                           for c in cluster.kjson("get", "deploy", "web", "-n", "roll")
                           ["status"]["conditions"]), 30, message="Progressing=DeploymentPaused")
    assert len(replica_sets(cluster, "roll")) == 2
    assert {p["metadata"]["name"] for p in live_pods(cluster, "roll", "app=web")} == before
    k("rollout", "resume", "deploy/web", "-n", "roll")
    rollout_status(cluster, "roll", "deploy/web")
    assert len(replica_sets(cluster, "roll")) == 3
    pods = cluster.wait_selector_ready("roll", "app=web", 3)
    assert {p["spec"]["containers"][0]["image"] for p in pods} == {"busybox:1.38"}

    # Restart replaces every pod with the same spec; the new containers see the Service
    # created meanwhile in their environment (enableServiceLinks), as kubelet sets it.
    k("create", "service", "clusterip", "web-front", "-n", "roll", "--tcp=80:8080")
    ip = cluster.kjson("get", "service", "web-front", "-n", "roll")["spec"]["clusterIP"]
    before = {p["metadata"]["name"] for p in pods}
    k("rollout", "restart", "deploy/web", "-n", "roll")
    rollout_status(cluster, "roll", "deploy/web")
    pods = cluster.wait_selector_ready("roll", "app=web", 3)
    assert not before & {p["metadata"]["name"] for p in pods}
    assert all("kubectl.kubernetes.io/restartedAt" in p["metadata"]["annotations"] for p in pods)
    env = k("exec", "-n", "roll", pods[0]["metadata"]["name"], "--", "sh", "-c",
            "echo $WEB_FRONT_SERVICE_HOST $WEB_FRONT_SERVICE_PORT $WEB_FRONT_SERVICE_PORT_80_8080 "
            "$WEB_FRONT_PORT $WEB_FRONT_PORT_80_TCP_ADDR $KUBERNETES_SERVICE_PORT").stdout
    assert env.split() == [ip, "80", "80", f"tcp://{ip}:80", ip, "443"], env
    k("delete", "namespace", "roll", "--wait=false")


def node_names(cluster) -> list[str]:
    return sorted(a.node_name for a in cluster.agents)


def scheduling_events(cluster, ns: str, pod: str) -> str:
    def found():
        out = cluster.k("get", "events", "-n", ns, "--field-selector",
                        f"involvedObject.name={pod},reason=FailedScheduling",
                        "-o", "jsonpath={.items[*].message}").stdout
        return out
    return wait_until(found, 30, message=f"FailedScheduling event for {pod}")


def apply_pod(cluster, name: str, spec_extra: str, resources: str = "", ns: str = "sched"):
    cluster.k("apply", "-f", "-", input=f"""apiVersion: v1
kind: Pod
metadata: {{name: {name}, namespace: {ns}, labels: {{app: {name}}}}}
spec:
  terminationGracePeriodSeconds: 1
{spec_extra}
  containers:
  - name: main
    image: busybox:1.36
    command: [sleep, "3600"]
{resources}
""")


def test_pod_that_fits_nowhere_stays_pending_with_the_reason(cluster):
    k = cluster.k
    k("create", "namespace", "sched")
    apply_pod(cluster, "huge", "", "    resources: {requests: {cpu: \"100\"}}")
    k("wait", "--for=jsonpath={.status.conditions[0].reason}=Unschedulable", "pod/huge",
      "-n", "sched", "--timeout=30s")
    assert cluster.status_row("sched", "huge")[2] == "Pending"
    assert "0/2 nodes are available: 2 Insufficient cpu." in scheduling_events(
        cluster, "sched", "huge")
    described = k("describe", "pod", "huge", "-n", "sched").stdout
    assert re.search(r"Warning\s+FailedScheduling\s+.*0/2 nodes are available: 2 Insufficient "
                     r"cpu\.", described), described
    k("delete", "pod", "huge", "-n", "sched")


def test_node_selector_and_required_node_affinity(cluster):
    k = cluster.k
    n1, n2 = node_names(cluster)
    k("label", "node", n2, "disk=ssd")
    k("label", "node", n1, "zone=east")
    k("label", "node", n2, "zone=west")
    apply_pod(cluster, "wants-ssd", "  nodeSelector: {disk: ssd}")
    apply_pod(cluster, "wants-east", """  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
        - matchExpressions:
          - {key: zone, operator: In, values: [east]}""")
    apply_pod(cluster, "wants-north", "  nodeSelector: {zone: north}")
    assert cluster.wait_ready("sched", "wants-ssd")["spec"]["nodeName"] == n2
    assert cluster.wait_ready("sched", "wants-east")["spec"]["nodeName"] == n1
    assert "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector." in \
        scheduling_events(cluster, "sched", "wants-north")
    # Labelling a node lets the waiting pod in.
    k("label", "node", n1, "zone=north", "--overwrite")
    assert cluster.wait_ready("sched", "wants-north")["spec"]["nodeName"] == n1
    k("delete", "pods", "--all", "-n", "sched", "--wait=true")


def test_pod_anti_affinity_spreads_replicas_over_hostnames(cluster):
    k = cluster.k
    k("apply", "-f", "-", input="""apiVersion: apps/v1
kind: Deployment
metadata: {name: spread, namespace: sched}
spec:
  replicas: 3
  selector: {matchLabels: {app: spread}}
  template:
    metadata: {labels: {app: spread}}
    spec:
      terminationGracePeriodSeconds: 1
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - topologyKey: kubernetes.io/hostname
            labelSelector: {matchLabels: {app: spread}}
      containers:
      - {name: main, image: busybox:1.36, command: [sleep, "3600"]}
""")
    running = cluster.wait_selector_ready("sched", "app=spread", 2)
    assert sorted(p["spec"]["nodeName"] for p in running) == node_names(cluster)
    pending = wait_until(lambda: [p for p in cluster.pods("sched", "app=spread")
                                  if p["status"].get("phase") == "Pending"], 30,
                         message="the third replica pending")
    assert len(pending) == 1
    assert "0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules." in \
        scheduling_events(cluster, "sched", pending[0]["metadata"]["name"])
    k("delete", "deploy", "spread", "-n", "sched")
    k("wait", "--for=delete", "pods", "-l", "app=spread", "-n", "sched", "--timeout=60s")


def test_taints_keep_pods_away_unless_tolerated(cluster):
    k = cluster.k
    n1, n2 = node_names(cluster)
    k("taint", "node", n1, "dedicated=infra:NoSchedule")
    try:
        pin = f"  nodeSelector: {{kubernetes.io/hostname: {n1}}}"
        apply_pod(cluster, "intolerant", pin)
        apply_pod(cluster, "tolerant", pin + """
  tolerations:
  - {key: dedicated, operator: Equal, value: infra, effect: NoSchedule}""")
        assert cluster.wait_ready("sched", "tolerant")["spec"]["nodeName"] == n1
        events = scheduling_events(cluster, "sched", "intolerant")
        assert "1 node(s) had untolerated taint {dedicated: infra}" in events, events
        assert cluster.status_row("sched", "intolerant")[2] == "Pending"
        # Elsewhere, untolerating pods go to the untainted node only.
        k("create", "deployment", "plain", "-n", "sched", "--replicas=2",
          "--image=busybox:1.36", "--", "sleep", "3600")
        pods = cluster.wait_selector_ready("sched", "app=plain", 2)
        assert {p["spec"]["nodeName"] for p in pods} == {n2}
    finally:
        k("taint", "node", n1, "dedicated=infra:NoSchedule-")
    assert cluster.wait_ready("sched", "intolerant")["spec"]["nodeName"] == n1
    k("delete", "deploy", "plain", "-n", "sched")
    k("delete", "pods", "--all", "-n", "sched", "--wait=true")


def test_higher_priority_pod_preempts_a_running_one(cluster):
    k = cluster.k
    k("create", "namespace", "preempt")
    # Each pod asks for 60% of a node's CPU: one fits per node.
    node = cluster.kjson("get", "node", node_names(cluster)[0])
    cpu = node["status"]["allocatable"]["cpu"]
    millis = int(cpu[:-1]) if cpu.endswith("m") else int(float(cpu) * 1000)
    request = f"    resources: {{requests: {{cpu: {millis * 6 // 10}m}}}}"
    k("apply", "-f", "-", input="""apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: urgent}
value: 100000
description: preempts the default priority
""")
    apply_pod(cluster, "low-a", "", request, ns="preempt")
    apply_pod(cluster, "low-b", "", request, ns="preempt")
    lows = [cluster.wait_ready("preempt", n) for n in ("low-a", "low-b")]
    assert sorted(p["spec"]["nodeName"] for p in lows) == node_names(cluster)
    apply_pod(cluster, "urgent", "  priorityClassName: urgent", request, ns="preempt")
    urgent = cluster.wait_ready("preempt", "urgent", timeout=90)
    assert urgent["spec"]["priority"] == 100000
    left = {p["metadata"]["name"]: p for p in cluster.kjson("get", "pods", "-n", "preempt")
            ["items"] if not p["metadata"].get("deletionTimestamp")}
    assert len(left) == 2 and "urgent" in left, list(left)
    (victim,) = {"low-a", "low-b"} - set(left)
    events = k("get", "events", "-n", "preempt", "--field-selector",
               f"involvedObject.name={victim},reason=Preempted",
               "-o", "jsonpath={.items[*].message}").stdout
    assert "Preempted by pod" in events, events
    k("delete", "namespace", "preempt", "--wait=false")


def test_quota_refuses_over_limit_pods_and_limitrange_fills_defaults(cluster, manifest):
    k = cluster.k
    k("create", "namespace", "quota")
    k("apply", "-f", "-", input=manifest("quota.yaml").replace("namespace: demo",
                                                              "namespace: quota"))
    k("wait", "--timeout=30s", "resourcequota/compute", "-n", "quota",
      "--for=jsonpath={.status.hard.pods}=10")
    k("run", "first", "-n", "quota", "--image=busybox:1.36", "--", "sleep", "3600")
    pod = cluster.wait_ready("quota", "first")
    resources = pod["spec"]["containers"][0]["resources"]
    assert resources == {"limits": {"cpu": "100m", "memory": "64Mi"},
                         "requests": {"cpu": "50m", "memory": "32Mi"}}, resources
    assert pod["status"]["qosClass"] == "Burstable"
    assert "LimitRanger plugin set: cpu, memory request for container first; cpu, memory " \
        "limit for container first" == pod["metadata"]["annotations"][
            "kubernetes.io/limit-ranger"]
    k("wait", "--timeout=30s", "resourcequota/compute", "-n", "quota",
      "--for=jsonpath={.status.used.pods}=1")

    big = k("run", "big", "-n", "quota", "--image=busybox:1.36",
            "--overrides", '{"spec":{"containers":[{"name":"big","image":"busybox:1.36",'
            '"resources":{"requests":{"memory":"1Gi"},"limits":{"memory":"1Gi"}}}]}}',
            check=False)
    assert big.returncode != 0
    assert 'pods "big" is forbidden: exceeded quota: compute, requested: ' \
           'requests.memory=1Gi, used: requests.memory=32Mi, limited: requests.memory=1Gi' \
        in big.stderr, big.stderr
    described = k("describe", "quota", "compute", "-n", "quota").stdout
    assert re.search(r"pods\s+1\s+10", described), described
    assert re.search(r"requests\.cpu\s+50m\s+2", described), described
