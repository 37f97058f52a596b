"""cluster.md item 14 (an agent restarted while pods run adopts them: same processes, same
restart counts) and the agent side of item 13 (live CPU and memory in /stats/summary and
/metrics/resource), plus who may use the agent's HTTPS server."""

import subprocess

import pytest

from agentcluster import start_cluster, stop_cluster
from pilot_agent import wait_until


@pytest.fixture(scope="module")
def cluster(engine, agent_binary, agent_runtime, tmp_path_factory):
    c = start_cluster(engine, agent_binary, agent_runtime, tmp_path_factory.mktemp("agents"))
    c.k("create", "namespace", "keep")
    c.k("apply", "-f", "-", input="""apiVersion: apps/v1
kind: Deployment
metadata: {name: sleepers, namespace: keep}
spec:
  replicas: 2
  selector: {matchLabels: {app: sleepers}}
  template:
    metadata: {labels: {app: sleepers}}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: c
        image: busybox:1.36
        command: ["sleep", "3600"]
        readinessProbe:
          exec: {command: ["true"]}
          periodSeconds: 1
---
apiVersion: v1
kind: Pod
metadata: {name: restarted-once, namespace: keep}
spec:
  terminationGracePeriodSeconds: 2
  containers:
  - name: c
    image: busybox:1.36
    workingDir: /state
    command: ["sh", "-c", "if [ -f once ]; then exec sleep 3600; fi; touch once; exit 1"]
    volumeMounts: [{name: state, mountPath: /state}]
  volumes: [{name: state, emptyDir: {}}]
---
apiVersion: v1
kind: Pod
metadata: {name: busy, namespace: keep}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: burn
    image: busybox:1.36
    command: ["sh", "-c", "while true; do :; done"]
""")
    c.wait_selector_ready("keep", "app=sleepers", 2)
    # Ready after its restart: the first run is briefly Running (and Ready: no probe) before it
    # exits, and under load a status can be read in that window (restartCount still 0).
    wait_until(lambda: c.wait_ready("keep", "restarted-once")["status"]["containerStatuses"][0]
               ["restartCount"] == 1, 60, message="restarted-once Running after one restart")
    c.wait_ready("keep", "busy")
    yield c
    stop_cluster(c)


def snapshot(cluster) -> dict:
    out = {}
    for pod in cluster.kjson("get", "pods", "-n", "keep")["items"]:
        s = pod["status"]["containerStatuses"][0]
        out[pod["metadata"]["name"]] = (s["containerID"], s["restartCount"],
                                        s["state"]["running"]["startedAt"],
                                        cluster.container_pid(pod))
    return out


def alive(pid: int) -> bool:
    """Running (a zombie waiting for its parent to reap it counts as gone)."""
    try:
        stat = open(f"/proc/{pid}/stat").read()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


@pytest.mark.parametrize("how", ["sigterm", "sigkill"])
def test_restarted_agents_adopt_running_containers(cluster, how):
    before = snapshot(cluster)
    assert before["restarted-once"][1] == 1
    for agent in cluster.agents:
        if how == "sigterm":
            assert agent.stop() == 0
        else:
            agent.kill()
    for _, _, _, pid in before.values():
        assert alive(pid), "containers keep running while their agent is down"
    for agent in cluster.agents:
        agent.start()
    for name in before:
        cluster.wait_ready("keep", name)
    after = snapshot(cluster)
    assert after == before
    rows = cluster.k("get", "pods", "-n", "keep", "--no-headers").stdout.splitlines()
    assert all(r.split()[2] == "Running" for r in rows), rows
    # The agents still own their pods: deleting one completes, and a replacement starts.
    victim = next(n for n in before if n.startswith("sleepers-"))
    cluster.k("delete", "pod", victim, "-n", "keep", timeout=60)
    assert not alive(before[victim][3]), "the deleted pod's container is stopped"
    cluster.wait_selector_ready("keep", "app=sleepers", 2)


def test_stats_show_live_cpu_and_memory(cluster):
    pod = cluster.pod("keep", "busy")
    agent = cluster.agent(pod["spec"]["nodeName"])

    def busy_in_summary():
        import json
        status, body = agent.get("/stats/summary")
        assert status == 200, body
        summary = json.loads(body)
        for p in summary["pods"]:
            if p["podRef"]["name"] == "busy":
                c = p["containers"][0]
                if c["cpu"]["usageNanoCores"] > 100_000_000 and c["memory"]["workingSetBytes"] > 0:
                    return summary
        return None
    summary = wait_until(busy_in_summary, 40, interval=1, message="CPU of the busy pod")
    assert summary["node"]["nodeName"] == agent.node_name
    assert summary["node"]["cpu"]["usageCoreNanoSeconds"] > 0
    assert summary["node"]["memory"]["workingSetBytes"] > 0
    status, text = agent.get("/metrics/resource")
    assert status == 200
    line = next(l for l in text.splitlines()
                if l.startswith('container_cpu_usage_seconds_total{container="burn"'))
    assert float(line.split()[1]) > 0.1, line
    assert 'pod_memory_working_set_bytes{namespace="keep",pod="busy"}' in text
    assert "node_memory_working_set_bytes" in text
    status, text = agent.get("/metrics")
    assert status == 200 and "kubelet_running_pods" in text
    if subprocess.run(["which", "promtool"], capture_output=True).returncode == 0:
        for body in (agent.get("/metrics/resource")[1], text):
            check = subprocess.run(["promtool", "check", "metrics"], input=body, text=True,
                                   capture_output=True)
            assert "error" not in (check.stdout + check.stderr).lower(), check.stdout + check.stderr


def test_the_agent_server_requires_a_cluster_client_certificate(cluster, tmp_path):
    agent = cluster.agents[0]
    assert agent.get("/healthz", with_cert=False) == (200, "ok")
    status, _ = agent.get("/pods", with_cert=False)
    assert status == 401
    # A client certificate from the cluster CA, but for an ordinary user: 403.
    pki = cluster.engine.data_dir / "pki"
    key, csr, crt = tmp_path / "dev.key", tmp_path / "dev.csr", tmp_path / "dev.crt"
    subprocess.run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", str(key), "-out",
                    str(csr), "-subj", "/O=developers/CN=jane"], check=True, capture_output=True)
    subprocess.run(["openssl", "x509", "-req", "-in", str(csr), "-CA", str(pki / "ca.crt"),
                    "-CAkey", str(pki / "ca.key"), "-CAcreateserial", "-out", str(crt), "-days",
                    "1"], check=True, capture_output=True)
    import ssl
    import urllib.request
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.load_cert_chain(str(crt), str(key))
    try:
        urllib.request.urlopen(agent.url("/pods"), context=ctx, timeout=10)
        raise AssertionError("jane was let in")
    except urllib.error.HTTPError as e:
        assert e.code == 403
        assert "Forbidden (user=jane" in e.read().decode()
    status, body = agent.get("/pods")
    assert status == 200 and '"kind":"PodList"' in body
