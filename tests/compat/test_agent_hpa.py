"""cluster.md item 11 on a real agent: manifests/hpa.yaml (an HPA on 50% CPU of a burner
Deployment) scales up while the burner's pods burn CPU, measured by the agent and served by the
engine's metrics.k8s.io, and back down once the load is gone. (test_hpa.py covers the API side
against simulated nodes, which report no usage.)

Two changes to the manifest, both things a user may write: the HPA's scale-down stabilisation
window is 0 instead of the default 5 minutes, and on the process runtime (no CPU limits) each pod
burns about a fifth of a core in bursts instead of a whole core, so the test does not starve the
machine it runs on."""

import re

import pytest

from agentcluster import MANIFESTS, start_cluster, stop_cluster
from pilot_agent import wait_until

NS = "demo"
# 0.2 s of busy loop per second: about 200m, four times the 50% target of the 100m request.
BURST = ('["sh", "-c", "while true; do timeout 0.2 sh -c \'while :; do :; done\'; '
         'sleep 0.8; done"]')


@pytest.fixture(scope="module")
def cluster(engine, agent_binary, agent_runtime, tmp_path_factory):
    c = start_cluster(engine, agent_binary, agent_runtime, tmp_path_factory.mktemp("agents"),
                      count=1)
    engine.k("create", "namespace", NS)
    yield c
    stop_cluster(c)


def hpa_manifest(cluster) -> str:
    text = (MANIFESTS / "hpa.yaml").read_text()
    text = text.replace("  maxReplicas: 4\n", "  maxReplicas: 4\n  behavior:\n    scaleDown:\n"
                        "      stabilizationWindowSeconds: 0\n")
    if cluster.agents[0].kind == "process":
        text = text.replace('command: ["sh", "-c", "while true; do :; done"]',
                            f"command: {BURST}")
        assert BURST in text
    return text


def rescales(cluster) -> list[str]:
    out = cluster.kjson("get", "events", "-n", NS, "--field-selector",
                        "involvedObject.name=burner,reason=SuccessfulRescale")
    return [e["message"] for e in out["items"]]


def test_hpa_scales_up_under_load_and_down_after(cluster):
    k = cluster.k
    k("apply", "-f", "-", input=hpa_manifest(cluster))
    cluster.wait_selector_ready(NS, "app=burner", 1)

    # Under load: utilisation above 50% of the request, more replicas.
    def scaled_up():
        hpa = cluster.kjson("get", "hpa", "burner", "-n", NS)
        return hpa if hpa["status"].get("desiredReplicas", 0) > 1 else None
    hpa = wait_until(scaled_up, 90, interval=1, message="the HPA scaling up")
    current = hpa["status"]["currentMetrics"][0]["resource"]["current"]
    assert current["averageUtilization"] > 50, hpa["status"]
    assert any(re.fullmatch(r"New size: [234]; reason: cpu resource utilization \(percentage of "
                            r"request\) above target", m) for m in rescales(cluster)), \
        rescales(cluster)
    row = k("get", "hpa", "burner", "-n", NS, "--no-headers").stdout
    assert re.match(r"burner\s+Deployment/burner\s+cpu: \d+%/50%\s+1\s+4\s+[1-4]\s", row), row
    pods = cluster.wait_selector_ready(NS, "app=burner", hpa["status"]["desiredReplicas"])
    assert len(pods) > 1
    top = k("top", "pods", "-n", NS, "--no-headers").stdout
    assert re.search(r"^burner-\S+\s+\d+m\s+\d+Mi\s*$", top, re.M), top

    # The load stops (a version that only sleeps): back to minReplicas.
    k("patch", "deployment", "burner", "-n", NS, "--type=json", "-p",
      '[{"op":"replace","path":"/spec/template/spec/containers/0/command",'
      '"value":["sleep","3600"]}]')
    k("wait", "--timeout=120s", "hpa/burner", "-n", NS,
      "--for=jsonpath={.status.desiredReplicas}=1", timeout=130)
    assert any(m == "New size: 1; reason: All metrics below target" for m in rescales(cluster)), \
        rescales(cluster)
    k("wait", "--timeout=60s", "deploy/burner", "-n", NS, "--for=jsonpath={.spec.replicas}=1")
    cluster.wait_selector_ready(NS, "app=burner", 1)
