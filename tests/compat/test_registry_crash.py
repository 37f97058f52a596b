"""Registry acceptance item 6 (data safety): `kill -9` of the engine in the middle of a blob push
leaves no blob visible, neither on disk in the blob store nor through the API, and the push can
be retried after a restart, either by resuming the upload session where the data stopped or by
starting over."""

from __future__ import annotations

import base64
import http.client
import os
import random
import ssl
from pathlib import Path
from urllib.parse import urlsplit

from pilot_engine import Engine
from registryclient import RegistryClient, digest_of, relative, with_query

REPOSITORY = "crash/test"


def socket_buffer_bound() -> int:
    """The most bytes loopback TCP can hold between the client's send() and the server's
    read(): the largest send buffer plus the largest receive buffer."""
    def largest(name: str) -> int:
        return int(Path(f"/proc/sys/net/ipv4/{name}").read_text().split()[2])
    return largest("tcp_wmem") + largest("tcp_rmem")


# Once send() has handed over more than the sockets can hold, the engine has read, and so
# written to the session file, at least the difference: no waiting needed before the kill.
SENT_BEFORE_KILL = socket_buffer_bound() + (8 << 20)
SIZE = 2 * SENT_BEFORE_KILL


def blob_file(data_dir: Path, digest: str) -> Path:
    hex_digest = digest.split(":")[1]
    return data_dir / "registry" / "blobs" / "sha256" / hex_digest[:2] / hex_digest


def test_kill_during_a_push_leaves_no_partial_blob_and_the_push_can_be_retried(engine_binary,
                                                                               tmp_path):
    data_dir = tmp_path / "data"
    engine = Engine(engine_binary, data_dir).start()
    try:
        client = RegistryClient(engine.registry, engine.ca_file, engine.registry_admin())
        client.ensure_project(REPOSITORY.split("/")[0])
        blob = random.Random(7).randbytes(SIZE)
        digest = digest_of(blob)
        started = client.post(f"/v2/{REPOSITORY}/blobs/uploads/")
        assert started.status_code == 202
        location = relative(started.headers["Location"])
        session_file = data_dir / "registry" / "uploads" / location.rsplit("/", 1)[1]

        # Stream the body by hand and stop a third of the way in, with the request still open.
        url = urlsplit(engine.registry)
        context = ssl.create_default_context(cafile=engine.ca_file)
        connection = http.client.HTTPSConnection(url.hostname, url.port, context=context)
        user, password = engine.registry_admin()
        connection.putrequest("PATCH", location)
        connection.putheader("Authorization", "Basic " +
                             base64.b64encode(f"{user}:{password}".encode()).decode())
        connection.putheader("Content-Type", "application/octet-stream")
        connection.putheader("Content-Length", str(SIZE))
        connection.endheaders()
        connection.send(blob[:SENT_BEFORE_KILL])
        engine.kill()
        connection.close()
    finally:
        engine.kill()

    assert not blob_file(data_dir, digest).exists(), "no blob file for a push that never ended"
    received = session_file.stat().st_size
    assert SENT_BEFORE_KILL - socket_buffer_bound() - (1 << 20) <= received <= SENT_BEFORE_KILL

    engine = Engine(engine_binary, data_dir).start()
    try:
        client = RegistryClient(engine.registry, engine.ca_file, engine.registry_admin())
        assert client.head(f"/v2/{REPOSITORY}/blobs/{digest}").status_code == 404
        assert client.get(f"/v2/{REPOSITORY}/blobs/{digest}").status_code == 404

        # Resume: the session survived the crash with what reached the disk.
        status = client.get(location)
        assert status.status_code == 204
        assert status.headers["Range"] == f"0-{received - 1}"
        rest = client.patch(location, data=blob[received:],
                            headers={"Content-Range": f"{received}-{SIZE - 1}",
                                     "Content-Type": "application/octet-stream"})
        assert rest.status_code == 202, rest.text
        assert rest.headers["Range"] == f"0-{SIZE - 1}"
        done = client.put(with_query(relative(rest.headers["Location"]), digest=digest))
        assert done.status_code == 201, done.text
        pulled = client.get(f"/v2/{REPOSITORY}/blobs/{digest}")
        assert pulled.status_code == 200
        assert pulled.content == blob

        # Or start over in another repository: a complete second push of the same content.
        assert client.upload_blob("crash/retry", blob) == digest
        assert client.get(f"/v2/crash/retry/blobs/{digest}").content == blob
        assert not any((data_dir / "registry" / "uploads").iterdir()), "no session left behind"
    finally:
        assert engine.stop() == 0


def test_kill_after_a_wrong_digest_keeps_nothing(engine_binary, tmp_path):
    """A push whose digest does not match is refused and leaves neither a blob nor a session,
    before and after a crash."""
    data_dir = tmp_path / "data"
    engine = Engine(engine_binary, data_dir).start()
    try:
        client = RegistryClient(engine.registry, engine.ca_file, engine.registry_admin())
        client.ensure_project(REPOSITORY.split("/")[0])
        started = client.post(f"/v2/{REPOSITORY}/blobs/uploads/")
        claimed = digest_of(b"what the client claims")
        response = client.put(with_query(relative(started.headers["Location"]), digest=claimed),
                              data=b"what it actually sends")
        assert response.status_code == 400
        assert response.json()["errors"][0]["code"] == "DIGEST_INVALID"
        engine.kill()
    finally:
        engine.kill()
    assert not blob_file(data_dir, claimed).exists()
    assert not blob_file(data_dir, digest_of(b"what it actually sends")).exists()
    assert os.listdir(data_dir / "registry" / "uploads") == []
