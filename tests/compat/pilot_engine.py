"""Runs a real pilothouse-engine for compat tests and drives it with the real kubectl.

The engine listens on 127.0.0.1:0 with a temporary data directory; readiness is the
architecture.md ready line on stdout, never a sleep.
"""

from __future__ import annotations

import json
import os
import re
import select
import signal
import subprocess
import time
from pathlib import Path

KUBECTL = "/usr/bin/kubectl"
READY = re.compile(r"^ready api=(https://\S+)(?: registry=(https://\S+))? kubeconfig=(\S+)$")


class EngineError(RuntimeError):
    pass


class Engine:
    def __init__(self, binary: str, data_dir: Path, start_timeout: float = 20.0):
        self.binary = binary
        self.data_dir = Path(data_dir)
        self.start_timeout = start_timeout
        self.proc: subprocess.Popen | None = None
        self.api = ""
        self.registry = ""  # https://HOST:PORT of the engine's OCI registry
        self.kubeconfig = ""
        self.log_path = self.data_dir.parent / (self.data_dir.name + "-engine.log")
        self.cache_dir = self.data_dir.parent / (self.data_dir.name + "-kubectl-cache")

    # -- lifecycle -------------------------------------------------------------------------
    def start(self, listen: str = "127.0.0.1:0", registry_listen: str | None = None,
              args: list[str] | None = None) -> "Engine":
        """`args`: further engine options (e.g. --test-cronjob-time-scale)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        extra = ["--registry-listen", registry_listen] if registry_listen else []
        extra += args or []
        self.proc = subprocess.Popen(
            [self.binary, "--data-dir", str(self.data_dir), "--listen", listen, *extra],
            stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + self.start_timeout
        buf = b""
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.kill()
                raise EngineError(f"no ready line within {self.start_timeout}s; log: {self.tail_log()}")
            ready, _, _ = select.select([self.proc.stdout], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            if not chunk:
                raise EngineError(f"engine exited ({self.proc.wait()}); log: {self.tail_log()}")
            buf += chunk
            for line in buf.decode(errors="replace").splitlines():
                m = READY.match(line.strip())
                if m:
                    self.api, self.registry, self.kubeconfig = m.group(1), m.group(2) or "", m.group(3)
                    return self

    def stop(self, timeout: float = 20.0) -> int:
        """SIGTERM and wait: the graceful path."""
        if not self.proc:
            return 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout)
        finally:
            self.proc.stdout.close()
            self.proc = None
        return code

    def kill(self) -> None:
        """SIGKILL: nothing is flushed that was not already acknowledged."""
        if not self.proc:
            return
        self.proc.kill()
        self.proc.wait()
        self.proc.stdout.close()
        self.proc = None

    @property
    def pid(self) -> int:
        return self.proc.pid if self.proc else -1

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def tail_log(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "<no log>"

    # -- clients ---------------------------------------------------------------------------
    def kubectl_args(self, *args: str) -> list[str]:
        return [KUBECTL, "--kubeconfig", self.kubeconfig, "--cache-dir", str(self.cache_dir),
                *args]

    def k(self, *args: str, input: str | None = None, check: bool = True,
          timeout: float = 60.0) -> subprocess.CompletedProcess:
        """Runs kubectl; with check=True a non-zero exit fails with its stderr."""
        res = subprocess.run(self.kubectl_args(*args), input=input, capture_output=True,
                             text=True, timeout=timeout)
        if check and res.returncode != 0:
            raise AssertionError(
                f"kubectl {' '.join(args)} exited {res.returncode}\nstdout: {res.stdout}\n"
                f"stderr: {res.stderr}")
        return res

    def kjson(self, *args: str) -> dict:
        return json.loads(self.k(*args, "-o", "json").stdout)

    # -- registry --------------------------------------------------------------------------
    @property
    def registry_host(self) -> str:
        """HOST:PORT of the registry, as image references and skopeo want it."""
        return self.registry.removeprefix("https://")

    @property
    def ca_file(self) -> str:
        """The engine CA, which signs the API's and the registry's serving certificates."""
        return str(self.data_dir / "pki" / "ca.crt")

    def registry_admin(self) -> tuple[str, str]:
        """The registry's first administrator from DATA/registry-admin."""
        user, _, password = (self.data_dir / "registry-admin").read_text().strip().partition(":")
        return user, password

    def curl_args(self) -> list[str]:
        pki = self.data_dir / "pki"
        return ["curl", "-sS", "--cacert", str(pki / "ca.crt"), "--cert", str(pki / "admin.crt"),
                "--key", str(pki / "admin.key")]


class LineReader:
    """Reads lines from a child's stdout with a deadline (no sleeps)."""

    def __init__(self, proc: subprocess.Popen):
        self.proc = proc
        self.buf = b""
        self.lines: list[str] = []

    def wait_for(self, predicate, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            for i, line in enumerate(self.lines):
                if predicate(line):
                    del self.lines[: i + 1]
                    return line
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no matching line within {timeout}s; saw {self.lines!r}")
            ready, _, _ = select.select([self.proc.stdout], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                raise AssertionError(f"stream closed; saw {self.lines!r}")
            self.buf += chunk
            *complete, self.buf = self.buf.split(b"\n")
            self.lines.extend(c.decode(errors="replace") for c in complete)
