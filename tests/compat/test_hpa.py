"""HorizontalPodAutoscalers as kubectl and the Python client see them (Engine II, cluster.md
item 11 before any load): `kubectl autoscale`, `kubectl get hpa` with the target unknown while no
metrics arrive (the simulated nodes report no usage), and what the autoscaler controller says
about it in `kubectl describe hpa`."""

import re
import subprocess

import pytest

from pilot_engine import LineReader

kubernetes = pytest.importorskip("kubernetes", reason="run with /usr/bin/python3")
from kubernetes import client, config  # noqa: E402

NS = "hpa"


@pytest.fixture(scope="module")
def cluster(engine, simnodes_binary):
    proc = subprocess.Popen([simnodes_binary, "--kubeconfig", engine.kubeconfig, "--count", "1",
                             "--prefix", "sim-node-"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    LineReader(proc).wait_for(lambda l: l.startswith("ready nodes=1"), timeout=30)
    engine.k("create", "namespace", NS)
    engine.k("create", "deployment", "web", "-n", NS, "--image=nginx:1.25")
    engine.k("set", "resources", "deployment", "web", "-n", NS, "--requests=cpu=200m")
    out = engine.k("autoscale", "deployment", "web", "-n", NS, "--cpu-percent=50", "--min=1",
                   "--max=5").stdout
    assert out.strip() == "horizontalpodautoscaler.autoscaling/web autoscaled"
    yield engine
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def api(cluster):
    cfg = client.Configuration()
    config.load_kube_config(config_file=cluster.kubeconfig, client_configuration=cfg)
    with client.ApiClient(cfg) as api_client:
        yield api_client


def test_get_hpa_shows_the_target_unknown_before_metrics(cluster):
    out = cluster.k("get", "hpa", "-n", NS).stdout
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS",
                                "AGE"], out
    # REPLICAS is 0 until the controller first looked at the Deployment, then 1.
    assert re.fullmatch(r"web\s+Deployment/web\s+cpu: <unknown>/50%\s+1\s+5\s+[01]\s+\S+",
                        lines[1]), out
    hpa = cluster.kjson("get", "hpa", "web", "-n", NS)
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment",
                                             "name": "web"}
    assert hpa["spec"]["metrics"] == [{"type": "Resource", "resource": {
        "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}}}]


def read_v2(api):
    """Debian's client (22.6) has no AutoscalingV2Api: read autoscaling/v2 as plain JSON."""
    return client.CustomObjectsApi(api).get_namespaced_custom_object(
        "autoscaling", "v2", NS, "horizontalpodautoscalers", "web")


def test_python_client_reads_both_versions(api):
    v1 = client.AutoscalingV1Api(api).read_namespaced_horizontal_pod_autoscaler("web", NS)
    assert v1.spec.min_replicas == 1 and v1.spec.max_replicas == 5
    assert v1.spec.target_cpu_utilization_percentage == 50
    assert v1.status is None or v1.status.current_cpu_utilization_percentage is None
    v2 = read_v2(api)
    assert v2["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"] == 50


def test_describe_hpa_says_why_there_is_no_metric(cluster, api):
    reason = "FailedGetResourceMetric"
    cluster.k("wait", "hpa/web", "-n", NS, "--timeout=60s",
              '--for=jsonpath={.status.conditions[?(@.type=="ScalingActive")].reason}=' + reason)
    error = ("failed to get cpu utilization: unable to get metrics for resource cpu: "
             "no metrics returned from resource metrics API")
    out = cluster.k("describe", "hpa", "web", "-n", NS).stdout
    assert re.search(r"resource cpu on pods\s+\(as a percentage of request\):\s+<unknown> / 50%",
                     out), out
    assert re.search(r"Deployment pods:\s+1 current / 0 desired", out), out
    assert re.search(r"AbleToScale\s+True\s+SucceededGetScale\s+the HPA controller was able to "
                     r"get the target's current scale", out), out
    assert re.search(r"ScalingActive\s+False\s+FailedGetResourceMetric\s+the HPA was unable to "
                     r"compute the replica count: " + re.escape(error), out), out
    events = cluster.k("get", "events", "-n", NS, "--field-selector",
                       "involvedObject.name=web,involvedObject.kind=HorizontalPodAutoscaler",
                       "-o", "custom-columns=REASON:.reason,MESSAGE:.message,FROM:.source.component",
                       "--no-headers").stdout
    assert re.search(r"FailedGetResourceMetric\s+" + re.escape(error) +
                     r"\s+horizontal-pod-autoscaler", events), events
    # The unread metric is written as upstream writes it: {"type": ""}.
    status = read_v2(api)["status"]
    assert status["currentReplicas"] == 1 and status["desiredReplicas"] == 0
    assert status["currentMetrics"] == [{"type": ""}]
    assert {c["type"]: c["status"] for c in status["conditions"]} == {"AbleToScale": "True",
                                                                    "ScalingActive": "False"}
    v1 = client.AutoscalingV1Api(api).read_namespaced_horizontal_pod_autoscaler("web", NS)
    assert v1.status.current_replicas == 1 and v1.status.desired_replicas == 0
