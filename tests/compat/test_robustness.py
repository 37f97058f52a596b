"""Bad input and hostile connections (Engine I: "never crashes or stalls the server"): slow
clients, half-closed and plain-TCP connections, oversized and malformed bodies. After each,
the engine still answers kubectl and has lost nothing."""

import json
import socket
import ssl
import subprocess
from pathlib import Path
from urllib.parse import urlparse

from rawclient import RawClient


def tls_socket(engine) -> ssl.SSLSocket:
    url = urlparse(engine.api)
    pki = Path(engine.data_dir) / "pki"
    ctx = ssl.create_default_context(cafile=str(pki / "ca.crt"))
    ctx.load_cert_chain(str(pki / "admin.crt"), str(pki / "admin.key"))
    raw = socket.create_connection((url.hostname, url.port), timeout=10)
    return ctx.wrap_socket(raw, server_hostname=url.hostname)


def still_serving(engine) -> None:
    out = engine.k("get", "ns", "default", "-o", "jsonpath={.status.phase}",
                   timeout=15).stdout
    assert out == "Active"


def test_slow_clients_do_not_stall_others(engine):
    url = urlparse(engine.api)
    slow = []
    try:
        for _ in range(150):  # more than the worker pool: slow peers must not hold workers
            s = tls_socket(engine)
            s.sendall(b"GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            slow.append(s)
        for _ in range(50):  # TCP connections that never start TLS
            slow.append(socket.create_connection((url.hostname, url.port), timeout=10))
        still_serving(engine)
        engine.k("create", "configmap", "during-slow", "-n", "default")
    finally:
        for s in slow:
            s.close()
    still_serving(engine)


def test_half_closed_and_garbage_connections(engine):
    s = tls_socket(engine)
    s.sendall(b"GET /version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    s.socket().shutdown(socket.SHUT_WR) if hasattr(s, "socket") else None
    reply = b""
    while chunk := s.recv(65536):
        reply += chunk
    s.close()
    assert reply.startswith(b"HTTP/1.1 200"), reply[:100]
    assert b'"minor":"32"' in reply

    url = urlparse(engine.api)
    for junk in (b"\x16\x03\x01\x00\x05hello", b"GET / HTTP/1.1\r\n\r\n", b"\x00" * 4096):
        g = socket.create_connection((url.hostname, url.port), timeout=10)
        g.sendall(junk)
        g.shutdown(socket.SHUT_WR)
        try:
            g.recv(1024)
        except OSError:
            pass
        g.close()
    # Malformed HTTP inside TLS gets 400 or a close, never a hang.
    s = tls_socket(engine)
    s.sendall(b"GARBAGE\r\n\r\n")
    reply = s.recv(4096)
    assert reply == b"" or reply.startswith(b"HTTP/1.1 400"), reply[:100]
    s.close()
    still_serving(engine)


def test_oversized_and_malformed_bodies(engine):
    c = RawClient(engine.api, engine.data_dir)
    path = "/api/v1/namespaces/default/configmaps"
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "keep"},
          "data": {"a": "1"}}
    assert c.request("POST", path, cm)[0] == 201

    status, body = c.request("POST", path, {**cm, "metadata": {"name": "big"},
                                            "data": {"x": "y" * (4 << 20)}})
    assert status == 413 and body["reason"] == "RequestEntityTooLarge"
    c.close()

    def post(data: bytes, content_type: str) -> tuple[int, dict]:
        s = tls_socket(engine)
        s.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\n"
                  f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode() + data)
        reply = b""
        while chunk := s.recv(65536):
            reply += chunk
        s.close()
        head, _, payload = reply.partition(b"\r\n\r\n")
        return int(head.split()[1]), json.loads(payload) if payload.strip().startswith(b"{") \
            else {}

    for data, ctype, code in [
        (b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":', "application/json", 400),
        (b"kind: [unclosed", "application/yaml", 400),
        (b"k8s\x00\xff\xff\xff\xff", "application/vnd.kubernetes.protobuf", 400),
        (b"\xff\xfe garbage", "application/json", 400),
        (b"hello", "text/plain", 415),
        (b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"n"},"data":{"a":1}}',
         "application/json", 400),
        (b"[1,2,3]", "application/json", 400),
        (b"{" * 100000 + b"}" * 100000, "application/json", 400),
    ]:
        status, body = post(data, ctype)
        assert status == code, (data[:40], status, body)
        if body:
            assert body["kind"] == "Status" and body["code"] == code
    # Invalid names and values are Invalid (422) naming the field.
    status, body = post(json.dumps({"apiVersion": "v1", "kind": "ConfigMap",
                                    "metadata": {"name": "x", "labels": {"bad key!": "v"}}})
                        .encode(), "application/json")
    assert status == 422 and body["details"]["causes"][0]["field"] == "metadata.labels"

    c = RawClient(engine.api, engine.data_dir)
    status, body = c.request("GET", path + "/keep")
    assert status == 200 and body["data"] == {"a": "1"}
    for query in ("labelSelector=a%20in%20(", "fieldSelector=spec.x%3Dy", "limit=-5",
                  "resourceVersion=abc", "timeoutSeconds=x&watch=1"):
        status, body = c.request("GET", path + "?" + query)
        assert status == 400 and body["reason"] == "BadRequest", (query, status, body)
    c.close()
    still_serving(engine)


def test_unauthenticated_requests_get_401(engine):
    url = engine.api + "/api/v1/namespaces"
    ca = str(Path(engine.data_dir) / "pki" / "ca.crt")
    out = subprocess.run(["curl", "-sS", "--cacert", ca, "-o", "/dev/null", "-w", "%{http_code}",
                          url], capture_output=True, text=True).stdout
    assert out == "401"
    out = subprocess.run(["curl", "-sS", "--cacert", ca, "-H", "Authorization: Bearer nope",
                          "-o", "/dev/null", "-w", "%{http_code}", url],
                         capture_output=True, text=True).stdout
    assert out == "401"
    for open_path in ("/healthz", "/livez", "/readyz", "/version"):
        out = subprocess.run(["curl", "-sS", "--cacert", ca, "-o", "/dev/null", "-w",
                              "%{http_code}", engine.api + open_path],
                             capture_output=True, text=True).stdout
        assert out == "200", open_path


def test_deeply_nested_objects_are_stored_and_served(engine):
    """Nesting up to Go's decoder limit is accepted, stored and read back (CRD schemas of
    real operators nest far deeper than Boost.JSON's default limit of 32); deeper is 400."""
    c = RawClient(engine.api, engine.data_dir)
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "deeps.x.example.com"},
           "spec": {"group": "x.example.com", "scope": "Namespaced",
                    "names": {"plural": "deeps", "kind": "Deep"},
                    "versions": [{"name": "v1", "served": True, "storage": True, "schema": {
                        "openAPIV3Schema": {"type": "object",
                                            "x-kubernetes-preserve-unknown-fields": True}}}]}}
    assert c.request("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
                     crd)[0] == 201
    engine.k("wait", "--for=condition=Established", "crd/deeps.x.example.com",
             "--timeout=10s")
    path = "/apis/x.example.com/v1/namespaces/default/deeps"
    for depth in (40, 400):
        nested: dict = {"leaf": depth}
        for _ in range(depth):
            nested = {"a": nested}
        obj = {"apiVersion": "x.example.com/v1", "kind": "Deep",
               "metadata": {"name": f"d{depth}"}, "spec": nested}
        status, created = c.request("POST", path, obj)
        assert status == 201, created
        status, got = c.request("GET", f"{path}/d{depth}")
        assert status == 200, got
        node = got["spec"]
        for _ in range(depth):
            node = node["a"]
        assert node == {"leaf": depth}
    too_deep = "[" * 20000 + "]" * 20000
    s = tls_socket(engine)
    s.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              f"Content-Length: {len(too_deep)}\r\nConnection: close\r\n\r\n{too_deep}"
              .encode())
    assert s.recv(64).startswith(b"HTTP/1.1 400")
    s.close()
    c.close()
