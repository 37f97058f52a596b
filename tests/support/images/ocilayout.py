#!/usr/bin/env python3
"""Deterministic OCI image layouts built from Debian's busybox-static, for tests and benchmarks.

No registry or network is involved: the image is assembled from ``/bin/busybox`` (package
``busybox-static``), whose applets give a usable userland (sh, httpd, wget, nslookup, sleep, ...).
The same inputs always give byte-identical blobs and digests (sorted tar entries, fixed times and
owners, gzip without a name or time stamp), so a test can compare what it pushed with what it
pulls back.

Library use::

    from ocilayout import busybox_image, write_layout, make_layer

    image = busybox_image(cmd=["sh", "-c", "echo hello"], env={"GREETING": "hi"},
                          extra_files={"/etc/motd": "welcome\\n"},
                          second_layer={"/www/index.html": "<h1>ok</h1>\\n"})
    info = write_layout("/tmp/layout", "1.36", image)
    # skopeo copy oci:/tmp/layout:1.36 docker://REGISTRY/library/busybox:1.36
    print(info.reference, info.manifest_digest, info.layer_digests)

``write_layout`` adds the image to an existing layout (another tag) or creates one. ``make_layer``
builds any layer from a ``{path: content}`` mapping (bytes, str, or ``File``/``Symlink``/``Dir``),
for example a layer of incompressible data for a throughput benchmark::

    blob = random.Random(1).randbytes(10 << 20)
    image = Image(layers=[make_layer({"/data.bin": blob})], config=ImageConfig(cmd=["true"]))

Command line::

    ocilayout.py DEST [--tag 1.36] [--cmd sh -c 'echo hi'] [--entrypoint ...] [--env K=V]
                 [--file /path=content] [--layer2-file /path=content] [--random-layer BYTES]

prints the ``oci:DEST:TAG`` reference and the manifest digest.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import hashlib
import io
import json
import os
import platform
import random
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Mapping, Sequence, Union

BUSYBOX = "/bin/busybox"

MEDIA_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MEDIA_INDEX = "application/vnd.oci.image.index.v1+json"
MEDIA_CONFIG = "application/vnd.oci.image.config.v1+json"
MEDIA_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
REF_NAME = "org.opencontainers.image.ref.name"

#: Every time stamp in a generated image (layers, config): fixed, for reproducible digests.
EPOCH = 0
CREATED = "1970-01-01T00:00:00Z"
DEFAULT_ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
#: Directories every busybox image has (a runtime mounts /proc, /sys and /dev over them).
BASE_DIRS = ("bin", "dev", "etc", "proc", "root", "sbin", "sys", "tmp", "usr", "usr/bin",
             "usr/sbin", "var")


@dataclasses.dataclass(frozen=True)
class File:
    content: bytes
    mode: int = 0o644


@dataclasses.dataclass(frozen=True)
class Symlink:
    target: str


@dataclasses.dataclass(frozen=True)
class Dir:
    mode: int = 0o755


Entry = Union[File, Symlink, Dir, bytes, str]


@dataclasses.dataclass(frozen=True)
class Layer:
    """A gzip-compressed layer: ``blob`` is what the registry stores, ``diff_id`` the digest of
    the uncompressed tar (what the image config lists)."""
    blob: bytes
    diff_id: str

    @property
    def digest(self) -> str:
        return sha256(self.blob)


@dataclasses.dataclass
class ImageConfig:
    entrypoint: list[str] | None = None
    cmd: list[str] | None = None
    env: dict[str, str] = dataclasses.field(default_factory=lambda: dict(DEFAULT_ENV))
    workdir: str = "/"
    labels: dict[str, str] = dataclasses.field(default_factory=dict)
    architecture: str = ""  # empty: this machine's (amd64, arm64, ...)


@dataclasses.dataclass
class Image:
    layers: list[Layer]
    config: ImageConfig


@dataclasses.dataclass(frozen=True)
class LayoutInfo:
    """What ``write_layout`` wrote: ``reference`` is ``oci:DIR:TAG`` for skopeo."""
    path: Path
    tag: str
    manifest_digest: str
    manifest_size: int
    config_digest: str
    layer_digests: list[str]

    @property
    def reference(self) -> str:
        return f"oci:{self.path}:{self.tag}"


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def go_architecture() -> str:
    """This machine's architecture as OCI names it."""
    machine = platform.machine().lower()
    return {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "i686": "386",
            "ppc64le": "ppc64le", "s390x": "s390x", "riscv64": "riscv64"}.get(machine, machine)


def _normalize(entry: Entry) -> File | Symlink | Dir:
    if isinstance(entry, str):
        return File(entry.encode())
    if isinstance(entry, bytes):
        return File(entry)
    return entry


def make_layer(entries: Mapping[str, Entry]) -> Layer:
    """A layer holding ``entries`` ({"/path": content}); parent directories are added, entries
    are sorted, owners are root and every time stamp is EPOCH, so equal input gives an equal
    digest."""
    items: dict[str, File | Symlink | Dir] = {}
    for path, entry in entries.items():
        name = path.strip("/")
        if not name:
            continue
        parts = name.split("/")
        for i in range(1, len(parts)):
            items.setdefault("/".join(parts[:i]), Dir())
        items[name] = _normalize(entry)
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in sorted(items):
            entry = items[name]
            info = tarfile.TarInfo(name)
            info.mtime = EPOCH
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            if isinstance(entry, Dir):
                info.type = tarfile.DIRTYPE
                info.mode = entry.mode
                tar.addfile(info)
            elif isinstance(entry, Symlink):
                info.type = tarfile.SYMTYPE
                info.linkname = entry.target
                info.mode = 0o777
                tar.addfile(info)
            else:
                info.size = len(entry.content)
                info.mode = entry.mode
                tar.addfile(info, io.BytesIO(entry.content))
    uncompressed = raw.getvalue()
    compressed = io.BytesIO()
    with gzip.GzipFile(filename="", fileobj=compressed, mode="wb", mtime=EPOCH,
                       compresslevel=6) as gz:
        gz.write(uncompressed)
    return Layer(compressed.getvalue(), sha256(uncompressed))


def busybox_applets(busybox: str = BUSYBOX) -> list[str]:
    """The applet paths busybox installs (``bin/sh``, ``usr/bin/wget``, ...)."""
    out = subprocess.run([busybox, "--list-full"], check=True, capture_output=True, text=True)
    return sorted({line.strip().strip("/") for line in out.stdout.splitlines() if line.strip()})


def busybox_layer(extra_files: Mapping[str, Entry] | None = None,
                  busybox: str = BUSYBOX) -> Layer:
    """/bin/busybox, a symlink to it for every applet, the usual top-level directories
    (/tmp world-writable), a minimal /etc/passwd and /etc/group, and ``extra_files``."""
    entries: dict[str, Entry] = {d: Dir() for d in BASE_DIRS}
    entries["tmp"] = Dir(0o1777)
    entries["bin/busybox"] = File(Path(busybox).read_bytes(), 0o755)
    for applet in busybox_applets(busybox):
        if applet != "bin/busybox":
            entries[applet] = Symlink("/bin/busybox")
    entries["etc/passwd"] = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n"
    entries["etc/group"] = "root:x:0:\nnogroup:x:65534:\n"
    for path, entry in (extra_files or {}).items():
        entries[path.strip("/")] = entry
    return make_layer(entries)


def busybox_image(*, entrypoint: Sequence[str] | None = None,
                  cmd: Sequence[str] | None = ("sh",),
                  env: Mapping[str, str] | None = None, workdir: str = "/",
                  labels: Mapping[str, str] | None = None,
                  extra_files: Mapping[str, Entry] | None = None,
                  second_layer: Mapping[str, Entry] | None = None,
                  architecture: str = "") -> Image:
    """A busybox image: the busybox layer (with ``extra_files``), optionally a second layer
    with ``second_layer``'s files, and a config with Entrypoint/Cmd/Env/WorkingDir/Labels.
    ``env`` is added to the default PATH."""
    layers = [busybox_layer(extra_files)]
    if second_layer:
        layers.append(make_layer(second_layer))
    merged_env = dict(DEFAULT_ENV)
    merged_env.update(env or {})
    config = ImageConfig(entrypoint=list(entrypoint) if entrypoint else None,
                         cmd=list(cmd) if cmd else None, env=merged_env, workdir=workdir,
                         labels=dict(labels or {}), architecture=architecture)
    return Image(layers, config)


def config_json(image: Image) -> bytes:
    """The image config blob (canonical JSON: sorted keys, no spaces)."""
    c = image.config
    runtime: dict = {"Env": [f"{k}={v}" for k, v in c.env.items()], "WorkingDir": c.workdir}
    if c.entrypoint:
        runtime["Entrypoint"] = c.entrypoint
    if c.cmd:
        runtime["Cmd"] = c.cmd
    if c.labels:
        runtime["Labels"] = c.labels
    document = {
        "architecture": c.architecture or go_architecture(),
        "os": "linux",
        "created": CREATED,
        "config": runtime,
        "rootfs": {"type": "layers", "diff_ids": [layer.diff_id for layer in image.layers]},
        "history": [{"created": CREATED, "created_by": "ocilayout.py"} for _ in image.layers],
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def _write_blob(layout: Path, data: bytes) -> str:
    digest = sha256(data)
    path = layout / "blobs" / "sha256" / digest.split(":", 1)[1]
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    return digest


def write_layout(layout: str | os.PathLike, tag: str, image: Image) -> LayoutInfo:
    """Writes ``image`` into the OCI image layout at ``layout`` (created when missing) under
    ``tag``, replacing an earlier image with that tag. Returns digests and the reference."""
    root = Path(layout)
    root.mkdir(parents=True, exist_ok=True)
    (root / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')
    config = config_json(image)
    config_digest = _write_blob(root, config)
    for layer in image.layers:
        _write_blob(root, layer.blob)
    manifest = {
        "schemaVersion": 2,
        "mediaType": MEDIA_MANIFEST,
        "config": {"mediaType": MEDIA_CONFIG, "digest": config_digest, "size": len(config)},
        "layers": [{"mediaType": MEDIA_LAYER_GZIP, "digest": layer.digest,
                    "size": len(layer.blob)} for layer in image.layers],
    }
    manifest_bytes = json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()
    manifest_digest = _write_blob(root, manifest_bytes)
    index_path = root / "index.json"
    index = (json.loads(index_path.read_text()) if index_path.exists()
             else {"schemaVersion": 2, "mediaType": MEDIA_INDEX, "manifests": []})
    index["manifests"] = [m for m in index.get("manifests", [])
                          if m.get("annotations", {}).get(REF_NAME) != tag]
    index["manifests"].append({"mediaType": MEDIA_MANIFEST, "digest": manifest_digest,
                               "size": len(manifest_bytes), "annotations": {REF_NAME: tag}})
    index_path.write_text(json.dumps(index, sort_keys=True, separators=(",", ":")))
    return LayoutInfo(root, tag, manifest_digest, len(manifest_bytes), config_digest,
                      [layer.digest for layer in image.layers])


def random_layer(size: int, seed: int = 0) -> Layer:
    """A layer with one file of ``size`` pseudo-random (incompressible, reproducible) bytes."""
    return make_layer({"/data.bin": random.Random(seed).randbytes(size)})


def _files(pairs: Sequence[str]) -> dict[str, Entry]:
    out: dict[str, Entry] = {}
    for pair in pairs:
        path, sep, content = pair.partition("=")
        if not sep:
            raise SystemExit(f"expected PATH=CONTENT, got {pair!r}")
        out[path] = Path(content[1:]).read_bytes() if content.startswith("@") else content
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", help="OCI layout directory (created or extended)")
    parser.add_argument("--tag", default="1.36")
    parser.add_argument("--entrypoint", nargs="+")
    parser.add_argument("--cmd", nargs="+", default=["sh"])
    parser.add_argument("--env", action="append", default=[], help="KEY=VALUE")
    parser.add_argument("--workdir", default="/")
    parser.add_argument("--file", action="append", default=[],
                        help="PATH=CONTENT or PATH=@SOURCE, into the busybox layer")
    parser.add_argument("--layer2-file", action="append", default=[],
                        help="PATH=CONTENT or PATH=@SOURCE, into a second layer")
    parser.add_argument("--random-layer", type=int, default=0, metavar="BYTES",
                        help="add a layer of BYTES incompressible bytes")
    args = parser.parse_args(argv)
    env = dict(item.partition("=")[::2] for item in args.env)
    image = busybox_image(entrypoint=args.entrypoint, cmd=args.cmd, env=env,
                          workdir=args.workdir, extra_files=_files(args.file),
                          second_layer=_files(args.layer2_file))
    if args.random_layer:
        image.layers.append(random_layer(args.random_layer))
    info = write_layout(args.dest, args.tag, image)
    print(info.reference, info.manifest_digest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
