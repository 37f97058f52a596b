"""ServiceAccounts as Kubernetes 1.32 has them, seen by the unmodified kubectl: the default
ServiceAccount and kube-root-ca.crt in every namespace, `kubectl create token`, the token as a
bearer credential, and the projected token volume of a new pod."""

import base64
import json
import re
import subprocess

import pytest

from pilot_engine import KUBECTL

pytestmark = pytest.mark.usefixtures("engine")

ISSUER = "https://kubernetes.default.svc.cluster.local"
MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount"


def new_namespace(engine, name: str) -> None:
    engine.k("create", "namespace", name)
    # The controller creates the ServiceAccount asynchronously; kubectl waits on a watch.
    engine.k("wait", "--for=create", "serviceaccount/default", "-n", name, "--timeout=30s")


def claims_of(token: str) -> dict:
    parts = token.split(".")
    assert len(parts) == 3, token
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    return json.loads(base64.urlsafe_b64decode(payload))


def kubectl_with_token(engine, tmp_path, token: str, *args: str):
    """kubectl with a kubeconfig holding only the CA and the bearer token (no client cert)."""
    config = tmp_path / "token.kubeconfig"
    config.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "sa",
        "clusters": [{"name": "pilot", "cluster": {
            "server": engine.api,
            "certificate-authority": str(engine.data_dir / "pki" / "ca.crt")}}],
        "users": [{"name": "sa", "user": {"token": token}}],
        "contexts": [{"name": "sa", "context": {"cluster": "pilot", "user": "sa"}}],
    }))
    return subprocess.run([KUBECTL, "--kubeconfig", str(config), "--cache-dir",
                           str(tmp_path / "cache"), *args],
                          capture_output=True, text=True, timeout=60)


def test_default_service_account_in_a_new_namespace(engine):
    new_namespace(engine, "sa-one")
    sa = engine.kjson("get", "sa", "default", "-n", "sa-one")
    assert sa["kind"] == "ServiceAccount"
    assert re.fullmatch(r"[0-9a-f-]{36}", sa["metadata"]["uid"])
    # Deleted, it comes back (a new object).
    engine.k("delete", "sa", "default", "-n", "sa-one")
    engine.k("wait", "--for=create", "serviceaccount/default", "-n", "sa-one", "--timeout=30s")
    again = engine.kjson("get", "sa", "default", "-n", "sa-one")
    assert again["metadata"]["uid"] != sa["metadata"]["uid"]


def test_root_ca_config_map(engine):
    new_namespace(engine, "sa-two")
    engine.k("wait", "--for=create", "configmap/kube-root-ca.crt", "-n", "sa-two",
             "--timeout=30s")
    cm = engine.kjson("get", "cm", "kube-root-ca.crt", "-n", "sa-two")
    ca = (engine.data_dir / "pki" / "ca.crt").read_text()
    assert cm["data"] == {"ca.crt": ca}
    assert cm["metadata"]["annotations"]["kubernetes.io/description"].startswith(
        "Contains a CA bundle that can be used to verify the kube-apiserver")


def test_create_token_and_authenticate_with_it(engine, tmp_path):
    new_namespace(engine, "sa-three")
    token = engine.k("create", "token", "default", "-n", "sa-three").stdout.strip()
    sa = engine.kjson("get", "sa", "default", "-n", "sa-three")
    claims = claims_of(token)
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header["alg"] == "RS256" and header["kid"]
    assert claims["iss"] == ISSUER
    assert claims["aud"] == [ISSUER]
    assert claims["sub"] == "system:serviceaccount:sa-three:default"
    assert claims["exp"] - claims["iat"] == 3600
    assert claims["nbf"] == claims["iat"]
    assert re.fullmatch(r"[0-9a-f-]{36}", claims["jti"])
    assert claims["kubernetes.io"] == {
        "namespace": "sa-three",
        "serviceaccount": {"name": "default", "uid": sa["metadata"]["uid"]}}

    longer = engine.k("create", "token", "default", "-n", "sa-three", "--duration=2h",
                      "--audience=vault").stdout.strip()
    assert claims_of(longer)["exp"] - claims_of(longer)["iat"] == 7200
    assert claims_of(longer)["aud"] == ["vault"]
    short = engine.k("create", "token", "default", "-n", "sa-three", "--duration=5m",
                     check=False)
    assert short.returncode != 0
    assert "may not specify a duration less than 10 minutes" in short.stderr

    ok = kubectl_with_token(engine, tmp_path, token, "get", "pods", "-n", "sa-three")
    assert ok.returncode == 0, ok.stderr
    whoami = kubectl_with_token(engine, tmp_path, token, "auth", "whoami", "-o", "json")
    if whoami.returncode == 0:  # served once SelfSubjectReview exists
        user = json.loads(whoami.stdout)["status"]["userInfo"]
        assert user["username"] == "system:serviceaccount:sa-three:default"
        assert "system:serviceaccounts:sa-three" in user["groups"]

    # Tokens for another audience, or tampered with, are not credentials.
    for bad in (longer, token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")):
        denied = kubectl_with_token(engine, tmp_path, bad, "get", "pods", "-n", "sa-three")
        assert denied.returncode != 0
        assert "Unauthorized" in denied.stderr, denied.stderr

    # The token dies with its ServiceAccount, even when one of the same name comes back.
    engine.k("delete", "sa", "default", "-n", "sa-three")
    engine.k("wait", "--for=create", "serviceaccount/default", "-n", "sa-three",
             "--timeout=30s")
    denied = kubectl_with_token(engine, tmp_path, token, "get", "pods", "-n", "sa-three")
    assert denied.returncode != 0
    assert "Unauthorized" in denied.stderr, denied.stderr


def test_pod_gets_the_projected_token_volume(engine):
    new_namespace(engine, "sa-four")
    engine.k("run", "web", "--image=nginx:1.25", "-n", "sa-four")
    pod = engine.kjson("get", "pod", "web", "-n", "sa-four")
    spec = pod["spec"]
    assert spec["serviceAccountName"] == "default"
    volumes = [v for v in spec["volumes"] if v["name"].startswith("kube-api-access-")]
    assert len(volumes) == 1
    assert re.fullmatch(r"kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}", volumes[0]["name"])
    assert volumes[0]["projected"] == {
        "defaultMode": 420,
        "sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"name": "kube-root-ca.crt",
                           "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
            {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {
                "apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}},
        ]}
    assert spec["containers"][0]["volumeMounts"] == [
        {"name": volumes[0]["name"], "mountPath": MOUNT, "readOnly": True}]

    # A ServiceAccount that does not exist is refused as upstream refuses it.
    res = engine.k("run", "ghost", "--image=nginx:1.25", "-n", "sa-four",
                   "--overrides", '{"spec":{"serviceAccountName":"ghost"}}', check=False)
    assert res.returncode != 0
    assert ('pods "ghost" is forbidden: error looking up service account sa-four/ghost: '
            'serviceaccount "ghost" not found') in res.stderr


def test_pod_bound_token_dies_with_its_pod(engine, tmp_path):
    new_namespace(engine, "sa-five")
    engine.k("run", "bound", "--image=nginx:1.25", "-n", "sa-five")
    pod = engine.kjson("get", "pod", "bound", "-n", "sa-five")
    token = engine.k("create", "token", "default", "-n", "sa-five", "--bound-object-kind=Pod",
                     "--bound-object-name=bound",
                     f"--bound-object-uid={pod['metadata']['uid']}").stdout.strip()
    assert claims_of(token)["kubernetes.io"]["pod"] == {
        "name": "bound", "uid": pod["metadata"]["uid"]}
    ok = kubectl_with_token(engine, tmp_path, token, "get", "pods", "-n", "sa-five")
    assert ok.returncode == 0, ok.stderr

    wrong = engine.k("create", "token", "default", "-n", "sa-five", "--bound-object-kind=Pod",
                     "--bound-object-name=bound", "--bound-object-uid=not-the-uid", check=False)
    assert wrong.returncode != 0
    assert "does not match the UID in record" in wrong.stderr

    engine.k("delete", "pod", "bound", "-n", "sa-five", "--grace-period=0", "--force")
    engine.k("wait", "--for=delete", "pod/bound", "-n", "sa-five", "--timeout=30s")
    denied = kubectl_with_token(engine, tmp_path, token, "get", "pods", "-n", "sa-five")
    assert denied.returncode != 0
    assert "Unauthorized" in denied.stderr, denied.stderr
