"""Registry acceptance item 5 and the node agent's pulls: a real runc agent pulls images from the
engine's bundled registry (`--registry-listen 127.0.0.1:0`) to run pods.

- A public project's image is pulled anonymously (the Docker token flow gives an anonymous
  token); a private project's image needs a `kubernetes.io/dockerconfigjson` Secret named in
  `imagePullSecrets` (here a Harbor robot account's credentials); without one the pod shows
  ErrImagePull/ImagePullBackOff with a message that says access was denied.
- TLS is verified: the agent runs with `--registry-verify-loopback`, so even a loopback registry
  needs a trusted certificate; it trusts the engine CA only because that is its kubeconfig's
  cluster CA. Three TLS relays in front of the registry check the other trust flags: one with a
  certificate from a CA given by `--registry-ca` (pulls), one from an unknown CA (refused:
  certificate verification failed), the same unknown CA on a host listed by
  `--insecure-registry` (pulls).

Everything a user would check is checked the way they would: kubectl get/logs/events.
"""

from __future__ import annotations

import os
import secrets
import shutil
import select
import socket
import ssl
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from pilot_agent import Agent, wait_until
from pilot_engine import Engine
from registryclient import RegistryClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support" / "images"))
import ocilayout  # noqa: E402  (tests/support/images: images from busybox-static)

NS = "pulls"
SKOPEO = "/usr/bin/skopeo"


def runc_usable() -> bool:
    if os.geteuid() != 0 or not shutil.which("runc") or not shutil.which("openssl"):
        return False
    if not Path(SKOPEO).exists() or not Path(ocilayout.BUSYBOX).exists():
        return False
    return "overlay" in Path("/proc/filesystems").read_text()


pytestmark = pytest.mark.skipif(not runc_usable(),
                                reason="needs root, runc, overlayfs, skopeo, openssl and "
                                       "busybox-static")


# -- certificates and TLS relays -----------------------------------------------------------------

def openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=30)


def make_ca(work: Path, name: str) -> tuple[Path, Path, Path]:
    """A CA named `name` and a serving certificate it signs for 127.0.0.1: (ca, cert, key)."""
    ca, ca_key = work / f"{name}-ca.crt", work / f"{name}-ca.key"
    cert, key, csr = work / f"{name}.crt", work / f"{name}.key", work / f"{name}.csr"
    ext = work / f"{name}.ext"
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", str(ca_key), "-out", str(ca), "-days", "1",
            "-subj", f"/CN={name} test CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    openssl("req", "-new", *ec, "-keyout", str(key), "-out", str(csr), "-subj", "/CN=127.0.0.1")
    ext.write_text("subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key),
            "-CAcreateserial", "-out", str(cert), "-days", "1", "-extfile", str(ext))
    return ca, cert, key


class TlsRelay:
    """Serves TLS on 127.0.0.1 with its own certificate and relays the bytes to the engine's
    registry (TLS verified against the engine CA): the registry seen through another host name
    and certificate. Handshakes the client aborted are kept in `refused`."""

    def __init__(self, cert: Path, key: Path, upstream: str, upstream_ca: str):
        self.server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.server.load_cert_chain(str(cert), str(key))
        self.client = ssl.create_default_context(cafile=upstream_ca)
        host, _, port = upstream.partition(":")
        self.upstream = (host, int(port))
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.refused: list[str] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._relay, args=(conn,), daemon=True).start()

    def _relay(self, conn: socket.socket) -> None:
        conn.settimeout(30)
        try:
            front = self.server.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError) as e:
            self.refused.append(str(e))
            conn.close()
            return
        back = self.client.wrap_socket(socket.create_connection(self.upstream, timeout=30),
                                       server_hostname=self.upstream[0])

        # One thread moves both directions: an SSL socket must not be read and written from two
        # threads at once (a TLS 1.3 session ticket read on one side stalled the other for 30 s).
        pair = {front: back, back: front}
        for s in pair:
            s.setblocking(False)
        try:
            while True:
                readable, _, _ = select.select(list(pair), [], [], 30)
                if not readable:
                    return
                for src in readable:
                    while True:  # drain what TLS has decrypted, not only what select saw
                        try:
                            data = src.recv(65536)
                        except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                            break
                        if not data:
                            return
                        self._send_all(pair[src], data)
        except OSError:
            return
        finally:
            for s in pair:
                try:
                    s.close()
                except OSError:
                    pass

    @staticmethod
    def _send_all(dst, data: bytes) -> None:
        view = memoryview(data)
        while view:
            try:
                view = view[dst.send(view):]
            except (ssl.SSLWantWriteError, ssl.SSLWantReadError, BlockingIOError):
                select.select([], [dst], [], 30)

    def close(self) -> None:
        self.listener.close()


# -- the cluster ---------------------------------------------------------------------------------

class Setup:
    """The engine with its registry, the pushed images, the relays and one runc agent."""

    def __init__(self, engine: Engine, agent: Agent, work: Path):
        self.engine = engine
        self.agent = agent
        self.work = work
        self.k = engine.k
        self.kjson = engine.kjson
        self.relays: dict[str, TlsRelay] = {}
        self.images: dict[str, ocilayout.LayoutInfo] = {}
        self.markers: dict[str, str] = {}

    def pod(self, name: str) -> dict:
        return self.kjson("get", "pod", name, "-n", NS)

    def waiting(self, name: str) -> dict | None:
        """The container's `state.waiting` once it is an image pull error."""
        statuses = self.pod(name)["status"].get("containerStatuses") or []
        waiting = statuses[0]["state"].get("waiting", {}) if statuses else {}
        return waiting if waiting.get("reason") in ("ErrImagePull", "ImagePullBackOff") else None

    def wait_running(self, name: str, timeout: float = 45.0) -> dict:
        def running():
            pod = self.pod(name)
            statuses = pod["status"].get("containerStatuses") or []
            if statuses and "running" in statuses[0]["state"]:
                return pod
            return None
        return wait_until(running, timeout, message=f"pod {NS}/{name} running")

    def wait_pull_error(self, name: str, timeout: float = 45.0) -> dict:
        return wait_until(lambda: self.waiting(name), timeout,
                          message=f"pod {NS}/{name} ErrImagePull or ImagePullBackOff")

    def events(self, name: str) -> list[dict]:
        items = self.kjson("get", "events", "-n", NS)["items"]
        return [e for e in items if e["involvedObject"].get("name") == name]

    def logs(self, name: str) -> str:
        return self.k("logs", "-n", NS, name).stdout


def skopeo_push(engine: Engine, work: Path, layout: ocilayout.LayoutInfo, name: str,
                creds: tuple[str, str]) -> None:
    certs = work / "certs.d"
    certs.mkdir(exist_ok=True)
    shutil.copy(engine.ca_file, certs / "ca.crt")
    policy = work / "policy.json"
    policy.write_text('{"default":[{"type":"insecureAcceptAnything"}]}')
    env = {"PATH": "/usr/bin:/bin", "HOME": str(work),
           "REGISTRY_AUTH_FILE": str(work / "auth.json")}
    result = subprocess.run(
        [SKOPEO, "--policy", str(policy), "copy", "--dest-cert-dir", str(certs), "--dest-creds",
         f"{creds[0]}:{creds[1]}", layout.reference, f"docker://{engine.registry_host}/{name}"],
        capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr


def pod_yaml(name: str, image: str, pull_secret: str | None = None,
             policy: str = "IfNotPresent") -> str:
    secrets_yaml = f"  imagePullSecrets:\n  - name: {pull_secret}\n" if pull_secret else ""
    return (f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: {NS}\n"
            f"spec:\n{secrets_yaml}  terminationGracePeriodSeconds: 1\n  containers:\n"
            f"  - name: app\n    image: {image}\n    imagePullPolicy: {policy}\n")


@pytest.fixture(scope="module")
def setup(engine_binary, agent_binary, tmp_path_factory):
    work = tmp_path_factory.mktemp("pull")
    engine = Engine(engine_binary, work / "engine").start(registry_listen="127.0.0.1:0")
    token = secrets.token_hex(3)
    # The relays and the agent's trust flags need each other's ports: relays first.
    lab_ca, lab_cert, lab_key = make_ca(work, "lab")
    _, rogue_cert, rogue_key = make_ca(work, "rogue")
    relays = {"lab": TlsRelay(lab_cert, lab_key, engine.registry_host, engine.ca_file),
              "rogue": TlsRelay(rogue_cert, rogue_key, engine.registry_host, engine.ca_file),
              "insecure": TlsRelay(rogue_cert, rogue_key, engine.registry_host, engine.ca_file)}
    # Pod networks derive from node names: a unique one lets runc clusters run side by side.
    agent = Agent(agent_binary, engine, f"pull-{token}", work / "agent", runtime="runc",
                  extra_args=["--registry-verify-loopback", "--registry-ca", str(lab_ca),
                              "--insecure-registry", relays["insecure"].host])
    s = Setup(engine, agent, work)
    s.relays = relays
    try:
        agent.start()
        admin = engine.registry_admin()
        api = RegistryClient(engine.registry, engine.ca_file, auth=admin)
        s.private, s.public = f"private-{token}", f"public-{token}"
        api.ensure_project(s.private, public=False)
        api.ensure_project(s.public, public=True)
        for project in (s.private, s.public):
            marker = f"image of {project}"
            image = ocilayout.busybox_image(
                cmd=["sh", "-c", "cat /etc/pilot-image && exec sleep 3600"],
                extra_files={"/etc/pilot-image": marker + "\n"})
            layout = ocilayout.write_layout(work / f"layout-{project}", "v1", image)
            skopeo_push(engine, work, layout, f"{project}/app:v1", admin)
            s.images[project], s.markers[project] = layout, marker
        # A robot account of the private project that may only pull, as a CI system gets.
        robot = api.post("/api/v2.0/robots", json={
            "name": "puller", "duration": -1, "level": "project",
            "permissions": [{"kind": "project", "namespace": s.private,
                             "access": [{"resource": "repository", "action": "pull"}]}]})
        assert robot.status_code == 201, robot.text
        s.robot = (robot.json()["name"], robot.json()["secret"])
        engine.k("create", "namespace", NS)
        engine.k("wait", "--for=condition=Ready", f"node/{agent.node_name}", "--timeout=60s")
        yield s
    finally:
        if agent.alive():
            engine.k("delete", "pods", "--all", "-n", NS, "--grace-period=1", "--wait=true",
                     check=False, timeout=60)
            agent.stop()
        agent.remove_containers()
        for relay in relays.values():
            relay.close()
        engine.stop()


def image_of(setup: Setup, project: str, host: str | None = None) -> str:
    return f"{host or setup.engine.registry_host}/{project}/app:v1"


# -- the tests -----------------------------------------------------------------------------------

def test_public_project_image_is_pulled_anonymously_and_runs(setup):
    image = image_of(setup, setup.public)
    setup.k("apply", "-f", "-", input=pod_yaml("public", image))
    pod = setup.wait_running("public")
    status = pod["status"]["containerStatuses"][0]
    assert status["image"] == image
    assert status["imageID"].endswith("@" + setup.images[setup.public].manifest_digest), status
    wait_until(lambda: setup.markers[setup.public] in setup.logs("public"), 20,
               message="the public image's file in the container's log")
    pulled = [e for e in setup.events("public") if e["reason"] == "Pulled"]
    assert pulled and "Successfully pulled image" in pulled[0]["message"], pulled


def test_private_project_image_without_pull_secret_fails_as_unauthorized(setup):
    image = image_of(setup, setup.private)
    setup.k("apply", "-f", "-", input=pod_yaml("no-secret", image, policy="Always"))
    waiting = setup.wait_pull_error("no-secret")
    assert "pull access denied" in waiting["message"], waiting
    assert f"{setup.private}/app" in waiting["message"], waiting
    assert "authentication required" in waiting["message"], waiting
    row = setup.k("get", "pod", "no-secret", "-n", NS, "--no-headers").stdout.split()
    assert row[2] in ("ErrImagePull", "ImagePullBackOff"), row
    failed = [e["message"] for e in setup.events("no-secret") if e["reason"] == "Failed"]
    assert any(m.startswith(f'Failed to pull image "{image}"') and "pull access denied" in m
               for m in failed), failed
    assert any(m in ("Error: ErrImagePull", "Error: ImagePullBackOff") for m in failed), failed
    assert all(e["type"] == "Warning" for e in setup.events("no-secret")
               if e["reason"] == "Failed")


def test_private_project_image_with_wrong_credentials_says_they_were_refused(setup):
    setup.k("create", "secret", "docker-registry", "wrong", "-n", NS,
            f"--docker-server={setup.engine.registry_host}",
            f"--docker-username={setup.robot[0]}", "--docker-password=not-the-secret")
    setup.k("apply", "-f", "-", input=pod_yaml("wrong-secret", image_of(setup, setup.private),
                                               pull_secret="wrong", policy="Always"))
    waiting = setup.wait_pull_error("wrong-secret")
    assert "refused the credentials" in waiting["message"], waiting
    assert "401" in waiting["message"], waiting


def test_private_project_image_runs_with_a_robot_account_pull_secret(setup):
    image = image_of(setup, setup.private)
    setup.k("create", "secret", "docker-registry", "regcred", "-n", NS,
            f"--docker-server={setup.engine.registry_host}",
            f"--docker-username={setup.robot[0]}", f"--docker-password={setup.robot[1]}")
    secret = setup.kjson("get", "secret", "regcred", "-n", NS)
    assert secret["type"] == "kubernetes.io/dockerconfigjson"
    setup.k("apply", "-f", "-", input=pod_yaml("with-secret", image, pull_secret="regcred"))
    pod = setup.wait_running("with-secret")
    status = pod["status"]["containerStatuses"][0]
    assert status["imageID"].endswith("@" + setup.images[setup.private].manifest_digest), status
    # The file only the private image has, printed by the image's own command.
    wait_until(lambda: setup.markers[setup.private] in setup.logs("with-secret"), 20,
               message="the private image's file in the container's log")
    assert setup.markers[setup.public] not in setup.logs("with-secret")
    row = setup.k("get", "pod", "with-secret", "-n", NS, "--no-headers").stdout.split()
    assert row[1:3] == ["1/1", "Running"], row


def test_pulls_verify_tls_and_honour_registry_ca_and_insecure_registry(setup):
    """The agent runs with --registry-verify-loopback: the pulls above went over TLS verified
    with the engine CA (its kubeconfig's cluster CA). A certificate from an unknown CA is
    refused; one from the --registry-ca CA is trusted; --insecure-registry skips the check."""
    relays = setup.relays
    for name, relay in relays.items():
        setup.k("apply", "-f", "-",
                input=pod_yaml(f"via-{name}", image_of(setup, setup.public, relay.host)))

    waiting = setup.wait_pull_error("via-rogue")
    assert "TLS handshake" in waiting["message"], waiting
    assert "certificate verify failed" in waiting["message"], waiting
    assert relays["rogue"].refused, "the agent aborted the handshake itself"

    for name in ("lab", "insecure"):
        pod = setup.wait_running(f"via-{name}")
        status = pod["status"]["containerStatuses"][0]
        assert status["image"] == image_of(setup, setup.public, relays[name].host)
        wait_until(lambda: setup.markers[setup.public] in setup.logs(f"via-{name}"), 20,
                   message=f"the image pulled through the {name} relay ran")
    assert not relays["lab"].refused and not relays["insecure"].refused
