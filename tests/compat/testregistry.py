"""A local OCI registry (Debian's docker-registry) holding `library/busybox:1.36` built from the
host's /bin/busybox (busybox-static, via tests/support/images/ocilayout.py), so runc-runtime
scenarios need no image hub: agents pull through `--registry-mirror docker.io=http://...`."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support" / "images"))
import ocilayout  # noqa: E402  (tests/support/images: images from busybox-static)

BUSYBOX = ocilayout.BUSYBOX


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def available() -> bool:
    return all(shutil.which(t) for t in ("docker-registry", "skopeo")) and Path(BUSYBOX).exists()


class TestRegistry:
    def __init__(self, workdir: Path):
        self.workdir = Path(workdir)
        self.port = _free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "TestRegistry":
        self.workdir.mkdir(parents=True, exist_ok=True)
        config = self.workdir / "config.yml"
        config.write_text(f"version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: "
                          f"{self.workdir / 'storage'}\nhttp:\n  addr: 127.0.0.1:{self.port}\n")
        log = open(self.workdir / "registry.log", "ab")
        self.proc = subprocess.Popen(["docker-registry", "serve", str(config)], stdout=log,
                                     stderr=log, stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        layout = ocilayout.write_layout(self.workdir / "busybox-layout", "1.36",
                                        ocilayout.busybox_image())
        subprocess.run(["skopeo", "copy", "--dest-tls-verify=false", layout.reference,
                        f"docker://127.0.0.1:{self.port}/library/busybox:1.36"],
                       check=True, capture_output=True, timeout=120)
        return self

    def add_tag(self, tag: str) -> None:
        """Pushes busybox again as `library/busybox:TAG` (a "new version" for rollouts)."""
        base = f"docker://127.0.0.1:{self.port}/library/busybox"
        subprocess.run(["skopeo", "copy", "--src-tls-verify=false", "--dest-tls-verify=false",
                        f"{base}:1.36", f"{base}:{tag}"], check=True, capture_output=True,
                       timeout=120)

    def stop(self) -> None:
        if self.proc:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None
