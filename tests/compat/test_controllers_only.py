"""The kube-apiserver / kube-controller-manager split: one pilothouse-engine serves the API with
--disable-controllers, a second `pilothouse-engine --controllers-only --kubeconfig
DATA/admin.kubeconfig` runs the controllers and the scheduler against it. The second process
publishes `kube-root-ca.crt` with the CA its kubeconfig trusts, and Deployments converge through
it (pilot-simnodes stands in for the node agents)."""

import base64
import signal
import subprocess

import pytest

from pilot_engine import Engine, LineReader


@pytest.fixture(scope="module")
def api_only(engine_binary, tmp_path_factory):
    e = Engine(engine_binary, tmp_path_factory.mktemp("api") / "data").start(
        args=["--disable-controllers"])
    yield e
    if e.alive():
        assert e.stop() == 0, e.tail_log()


def start_controllers(engine_binary, kubeconfig, log_path):
    log = open(log_path, "ab")
    proc = subprocess.Popen([engine_binary, "--controllers-only", "--kubeconfig", kubeconfig],
                            stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL)
    log.close()
    LineReader(proc).wait_for(lambda line: line.startswith("ready controllers="), timeout=30)
    return proc


def kubeconfig_ca(engine) -> str:
    """The PEM the admin kubeconfig trusts the API server with."""
    config = engine.kjson("config", "view", "--raw")
    cluster = config["clusters"][0]["cluster"]
    if "certificate-authority-data" in cluster:
        return base64.b64decode(cluster["certificate-authority-data"]).decode()
    with open(cluster["certificate-authority"]) as f:
        return f.read()


def test_controllers_only_publishes_the_root_ca_and_runs_deployments(
        api_only, engine_binary, simnodes_binary, tmp_path):
    k = api_only.k
    nodes = subprocess.Popen([simnodes_binary, "--kubeconfig", api_only.kubeconfig, "--count",
                              "2", "--prefix", "split-node-"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    controllers = None
    try:
        LineReader(nodes).wait_for(lambda line: line.startswith("ready nodes=2"), timeout=30)
        # Before the controllers run, the API server alone does none of their work.
        k("create", "namespace", "before")
        k("create", "deployment", "web", "-n", "before", "--image=busybox:1.36",
          "--replicas=2", "--", "sleep", "3600")
        assert "started " not in api_only.tail_log(400), api_only.tail_log()
        assert k("get", "replicasets", "-n", "before", "-o", "name").stdout == ""

        log_path = tmp_path / "controllers.log"
        controllers = start_controllers(engine_binary, api_only.kubeconfig, log_path)
        k("create", "namespace", "after")
        # Every namespace, older or newer than the controllers, gets the kubeconfig's CA.
        ca = kubeconfig_ca(api_only)
        assert "BEGIN CERTIFICATE" in ca
        with open(api_only.ca_file) as f:
            assert ca == f.read()
        for ns in ("before", "after", "default", "kube-system"):
            k("wait", "--for=create", "configmap/kube-root-ca.crt", "-n", ns, "--timeout=30s")
            cm = api_only.kjson("get", "configmap", "kube-root-ca.crt", "-n", ns)
            assert cm["data"] == {"ca.crt": ca}, ns
            assert cm["metadata"]["annotations"]["kubernetes.io/description"].startswith(
                "Contains a CA bundle that can be used to verify the kube-apiserver"), cm

        # The Deployment made before converges: ReplicaSet, pods, scheduling, availability.
        out = k("rollout", "status", "deploy/web", "-n", "before", "--timeout=60s",
                timeout=70).stdout
        assert 'deployment "web" successfully rolled out' in out, out
        pods = api_only.kjson("get", "pods", "-n", "before", "-l", "app=web")["items"]
        assert len(pods) == 2
        for pod in pods:
            assert pod["spec"]["nodeName"].startswith("split-node-"), pod
            assert pod["metadata"]["ownerReferences"][0]["kind"] == "ReplicaSet"
        k("scale", "deploy/web", "-n", "before", "--replicas=3")
        k("wait", "deploy/web", "-n", "before", "--timeout=60s",
          "--for=jsonpath={.status.availableReplicas}=3")

        # The second process did it all: its log has the controllers, the API server's none.
        log = log_path.read_text(errors="replace")
        for name in ("root-ca-cert-publisher", "deployment-controller", "replicaset-controller"):
            assert f"started {name}" in log, log[-3000:]
        assert "started " not in api_only.tail_log(400), api_only.tail_log()
        controllers.send_signal(signal.SIGTERM)
        assert controllers.wait(20) == 0, log_path.read_text(errors="replace")[-3000:]
        controllers.stdout.close()
        controllers = None
    finally:
        if controllers is not None:
            controllers.kill()
            controllers.wait()
            controllers.stdout.close()
        nodes.terminate()
        nodes.wait(10)
        nodes.stdout.close()
