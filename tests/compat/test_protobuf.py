"""Protobuf answers: kubectl 1.32's typed clients ask for `application/vnd.kubernetes.protobuf`
first, as kubelets and controllers do. The engine answers built-in kinds in protobuf (objects,
lists and watch streams) and kubectl's own Go decoder must read them back to the same objects
the JSON API serves."""

import json
import subprocess

import pytest

from pilot_engine import LineReader

pytestmark = pytest.mark.usefixtures("engine")

PROTOBUF = "application/vnd.kubernetes.protobuf"


def answered_content_types(log: str) -> list[str]:
    """The Content-Type of every response kubectl logged at -v=8."""
    types = []
    in_response = False
    for line in log.splitlines():
        if "Response Headers:" in line:
            in_response = True
        elif in_response and "Content-Type:" in line:
            types.append(line.split("Content-Type:", 1)[1].strip())
            in_response = False
    return types


def verbose(engine, *args: str) -> subprocess.CompletedProcess:
    """kubectl with -v=8 (and any extra flags) placed before a `--` command."""
    args = list(args)
    at = args.index("--") if "--" in args else len(args)
    return engine.k(*args[:at], "-v=8", *args[at:])


def comparable(value):
    """Drops managedFields (kubectl hides them) and empty or null members: Go's typed objects
    print zero structs as `{}` and zero times as null where the JSON API leaves them out."""
    if isinstance(value, dict):
        out = {k: comparable(v) for k, v in value.items() if k != "managedFields"}
        return {k: v for k, v in out.items() if v not in ({}, None, [])}
    if isinstance(value, list):
        return [comparable(v) for v in value]
    return value


@pytest.fixture(scope="module", autouse=True)
def namespace(engine):
    engine.k("create", "namespace", "pb")


@pytest.mark.parametrize("kind,args", [
    ("namespace", ["create", "namespace", "pbns"]),
    ("deployment", ["create", "deployment", "web", "--image=busybox:1.36", "--replicas=0",
                    "--port=8080", "-n", "pb"]),
    ("configmap", ["create", "configmap", "settings", "--from-literal=mode=fast", "-n", "pb"]),
    ("secret", ["create", "secret", "generic", "token", "--from-literal=t=abc", "-n", "pb"]),
    ("service", ["create", "service", "clusterip", "api", "--tcp=80:http", "-n", "pb"]),
    ("job", ["create", "job", "once", "--image=busybox:1.36", "-n", "pb", "--", "true"]),
])
def test_typed_creates_are_answered_in_protobuf_and_read_back_as_the_stored_object(
        engine, kind, args):
    at = args.index("--") if "--" in args else len(args)
    res = verbose(engine, *args[:at], "-o", "json", *args[at:])
    assert answered_content_types(res.stderr)[-1] == PROTOBUF, res.stderr[-2000:]
    created = json.loads(res.stdout)
    name = args[3] if args[1] in ("secret", "service") else args[2]
    namespace = ["-n", "pb"] if kind != "namespace" else []
    stored = engine.kjson("get", kind, name, *namespace)
    # kubectl decoded our protobuf into the very object the JSON API serves. Controllers may
    # have moved status and annotations on since; what the create wrote must match.
    created, stored = comparable(created), comparable(stored)
    for part in ("apiVersion", "kind", "spec", "data", "type"):
        assert created.get(part) == stored.get(part), part
    for field in ("name", "namespace", "uid", "labels", "creationTimestamp", "generation"):
        assert created["metadata"].get(field) == stored["metadata"].get(field), field
    assert created["metadata"]["uid"] and created["metadata"]["creationTimestamp"]


def test_service_account_token_is_answered_in_protobuf(engine):
    engine.k("create", "namespace", "pbtoken", check=False)
    res = verbose(engine, "create", "token", "default", "-n", "pbtoken", "--duration=10m")
    assert answered_content_types(res.stderr)[-1] == PROTOBUF
    token = res.stdout.strip()
    assert token.count(".") == 2, "a JWT decoded from the TokenRequest's status"


def test_typed_reads_of_objects_and_lists_are_protobuf(engine):
    engine.k("create", "namespace", "pbread", check=False)
    engine.k("create", "deployment", "reader", "--image=busybox:1.36", "--replicas=2",
             "-n", "pbread")
    res = verbose(engine, "describe", "deployment", "reader", "-n", "pbread")
    types = answered_content_types(res.stderr)
    assert types.count(PROTOBUF) >= 2, types  # the deployment, its replica sets, events
    out = res.stdout
    assert "Name:                   reader" in out
    assert "Replicas:               2 desired" in out
    assert "NewReplicaSet:   reader-" in out


def test_events_watch_streams_protobuf_frames_kubectl_decodes(engine, tmp_path):
    engine.k("create", "namespace", "pbwatch", check=False)
    engine.k("create", "deployment", "watched", "--image=busybox:1.36", "--replicas=1",
             "-n", "pbwatch")
    log = tmp_path / "events.log"
    with open(log, "w") as err:
        proc = subprocess.Popen(engine.kubectl_args("events", "-n", "pbwatch", "--watch",
                                                    "-v=8"),
                                stdout=subprocess.PIPE, stderr=err)
    try:
        reader = LineReader(proc)
        reader.wait_for(lambda l: "from 0 to 1" in l)
        # A new event arrives only through the watch.
        engine.k("scale", "deployment", "watched", "-n", "pbwatch", "--replicas=3")
        line = reader.wait_for(lambda l: "from 1 to 3" in l)
        assert "ScalingReplicaSet" in line and "Deployment/watched" in line
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    types = answered_content_types(log.read_text())
    assert f"{PROTOBUF};stream=watch" in types, types


def curl_accept(engine, path: str, accept: str) -> tuple[str, bytes]:
    res = subprocess.run([*engine.curl_args(), "-H", f"Accept: {accept}", "-D", "-",
                          "-o", "-", f"{engine.api}{path}"], capture_output=True, timeout=30)
    head, _, body = res.stdout.partition(b"\r\n\r\n")
    return head.decode(errors="replace"), body


def test_protobuf_is_negotiated_only_where_it_exists(engine, manifest):
    engine.k("create", "namespace", "pbneg", check=False)
    # Built-in kinds: protobuf even when nothing else is accepted.
    head, body = curl_accept(engine, "/api/v1/namespaces/pbneg", PROTOBUF)
    assert " 200" in head.splitlines()[0]
    assert f"Content-Type: {PROTOBUF}" in head
    assert body.startswith(b"k8s\x00")
    # Tables have no protobuf form here: the JSON entry after it is used.
    head, body = curl_accept(
        engine, "/api/v1/namespaces",
        f"{PROTOBUF};as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1;g=meta.k8s.io")
    assert json.loads(body)["kind"] == "Table"
    # Errors stay Status JSON, which every client decodes.
    head, body = curl_accept(engine, "/api/v1/namespaces/pbneg/pods/none",
                             f"{PROTOBUF},application/json")
    assert json.loads(body)["reason"] == "NotFound"
    # Custom resources have no protobuf form: 406 alone, JSON when JSON follows.
    engine.k("apply", "-f", "-", input=manifest("crd.yaml"))
    engine.k("wait", "--for=condition=Established", "crd/backups.ops.example.com")
    path = "/apis/ops.example.com/v1/namespaces/pbneg/backups"
    head, _ = curl_accept(engine, path, PROTOBUF)
    assert " 406" in head.splitlines()[0]
    head, body = curl_accept(engine, path, f"{PROTOBUF},application/json")
    assert json.loads(body)["kind"] == "BackupList"
