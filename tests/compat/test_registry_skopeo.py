"""Registry acceptance item 1 with the unmodified skopeo 1.9 (Debian): push an OCI layout built
from busybox-static, inspect it, list its tags, pull it back byte-identical, copy it to another
repository (the layer is cross-mounted, not uploaded again), and delete it. TLS is verified
against the engine CA throughout; pushes use the registry administrator from DATA/registry-admin,
pulls are anonymous."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "support" / "images"))

import ocilayout  # noqa: E402
from registryclient import RegistryClient  # noqa: E402
from skopeo import Skopeo  # noqa: E402



@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("skopeo")


@pytest.fixture(scope="module")
def skopeo(engine, work) -> Skopeo:
    return Skopeo(engine, work)


@pytest.fixture(scope="module")
def layout(work) -> ocilayout.LayoutInfo:
    image = ocilayout.busybox_image(cmd=["sh", "-c", "echo hello from busybox"],
                                    env={"GREETING": "hello"},
                                    second_layer={"/www/index.html": "<h1>pilothouse</h1>\n"})
    return ocilayout.write_layout(work / "layout", "1.36", image)


@pytest.fixture(scope="module")
def pushed(skopeo, layout, engine) -> ocilayout.LayoutInfo:
    # `library` exists from the start (public, as in Harbor); `team` is made public here so
    # that the anonymous reads below see it.
    RegistryClient(engine.registry, engine.ca_file, engine.registry_admin()).ensure_project(
        "team", public=True)
    skopeo.run("copy", "--dest-cert-dir", str(skopeo.certs), "--dest-creds", skopeo.creds,
               layout.reference, skopeo.ref("library/busybox:1.36"))
    return layout


def test_copy_from_an_oci_layout_pushes_the_image(skopeo, pushed, engine):
    client = RegistryClient(engine.registry, engine.ca_file, None)
    response = client.get("/v2/library/busybox/manifests/1.36")
    assert response.status_code == 200
    assert response.headers["Docker-Content-Digest"] == pushed.manifest_digest
    manifest_file = pushed.path / "blobs" / "sha256" / pushed.manifest_digest.split(":")[1]
    assert response.content == manifest_file.read_bytes(), "the manifest's exact bytes"
    # _catalog is for system administrators, as in Harbor.
    assert client.get("/v2/_catalog").status_code == 401
    admin = RegistryClient(engine.registry, engine.ca_file, engine.registry_admin())
    assert "library/busybox" in admin.get("/v2/_catalog").json()["repositories"]


def test_inspect_shows_the_image_config(skopeo, pushed):
    result = skopeo.run("inspect", "--cert-dir", str(skopeo.certs),
                        skopeo.ref("library/busybox:1.36"))
    info = json.loads(result.stdout)
    assert info["Digest"] == pushed.manifest_digest
    assert info["Layers"] == pushed.layer_digests
    assert info["Os"] == "linux"
    assert "GREETING=hello" in info["Env"]
    raw = skopeo.run("inspect", "--raw", "--cert-dir", str(skopeo.certs),
                     skopeo.ref("library/busybox:1.36"))
    assert json.loads(raw.stdout)["config"]["digest"] == pushed.config_digest


def test_list_tags(skopeo, pushed):
    skopeo.run("copy", "--src-cert-dir", str(skopeo.certs), "--dest-cert-dir", str(skopeo.certs),
               "--dest-creds", skopeo.creds, skopeo.ref("library/busybox:1.36"),
               skopeo.ref("library/busybox:latest"))
    result = skopeo.run("list-tags", "--cert-dir", str(skopeo.certs),
                        skopeo.ref("library/busybox"))
    assert json.loads(result.stdout)["Tags"] == ["1.36", "latest"]


def test_copy_back_to_an_oci_layout_is_byte_identical(skopeo, pushed, work):
    back = work / "pulled"
    # Anonymous: pulls need no credentials.
    skopeo.run("copy", "--src-cert-dir", str(skopeo.certs), skopeo.ref("library/busybox:1.36"),
               f"oci:{back}:1.36")
    for digest in [pushed.manifest_digest, pushed.config_digest, *pushed.layer_digests]:
        name = digest.split(":")[1]
        original = (pushed.path / "blobs" / "sha256" / name).read_bytes()
        assert (back / "blobs" / "sha256" / name).read_bytes() == original, digest
    index = json.loads((back / "index.json").read_text())
    assert [m["digest"] for m in index["manifests"]] == [pushed.manifest_digest]


def test_copy_between_repositories_mounts_the_layers(skopeo, pushed, engine):
    result = skopeo.run("--debug", "copy", "--src-cert-dir", str(skopeo.certs),
                        "--dest-cert-dir", str(skopeo.certs), "--dest-creds", skopeo.creds,
                        skopeo.ref("library/busybox:1.36"), skopeo.ref("team/app:v1"))
    log = result.stderr
    for layer in pushed.layer_digests:
        escaped = layer.replace(":", "%3A")
        assert f"from=library%2Fbusybox&mount={escaped}" in log, log
    assert log.count("mount OK") == len(pushed.layer_digests), log
    uploads = [line for line in log.splitlines() if "PATCH https://" in line]
    assert len(uploads) == 1, f"only the config is uploaded, layers are mounted: {uploads}"
    client = RegistryClient(engine.registry, engine.ca_file, None)
    response = client.get("/v2/team/app/manifests/v1")
    assert response.headers["Docker-Content-Digest"] == pushed.manifest_digest


def test_anonymous_push_is_refused(skopeo, layout):
    result = skopeo.run("copy", "--dest-cert-dir", str(skopeo.certs), layout.reference,
                        skopeo.ref("library/busybox:anonymous"), check=False)
    assert result.returncode != 0
    assert "unauthorized" in result.stderr.lower() or "authentication" in result.stderr.lower()


def test_delete_removes_the_manifest_and_its_tags_only_there(skopeo, pushed, engine):
    skopeo.run("delete", "--cert-dir", str(skopeo.certs), "--creds", skopeo.creds,
               skopeo.ref("team/app:v1"))
    gone = skopeo.run("inspect", "--cert-dir", str(skopeo.certs), skopeo.ref("team/app:v1"),
                      check=False)
    assert gone.returncode != 0
    assert "manifest unknown" in gone.stderr
    client = RegistryClient(engine.registry, engine.ca_file, None)
    assert client.get("/v2/team/app/tags/list").json() == {"name": "team/app", "tags": []}
    still = skopeo.run("inspect", "--cert-dir", str(skopeo.certs),
                       skopeo.ref("library/busybox:1.36"))
    assert json.loads(still.stdout)["Digest"] == pushed.manifest_digest
