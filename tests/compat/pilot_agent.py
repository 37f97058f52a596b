"""Runs real pilothouse-agent processes beside a pilot_engine.Engine for compat tests.

An agent is started with the engine's admin kubeconfig, a temporary data directory and
`--port 0`; readiness is its ready line (`ready node=NAME runtime=KIND`), never a sleep. Its HTTPS
server (logs, exec, stats) is reached directly with the engine's admin client certificate, which
the agent accepts because it is issued by the cluster CA with O=system:masters.
"""

from __future__ import annotations

import json
import os
import re
import select
import signal
import ssl
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

READY = re.compile(r"^ready node=(\S+) runtime=(\S+)$")


class AgentError(RuntimeError):
    pass


def start_ticks(pid: int) -> int | None:
    """Field 22 of /proc/PID/stat (starttime, clock ticks after boot), as the container monitor
    records it in state.json's pidStartTicks; None when there is no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after its last ')'.
    try:
        return int(stat[stat.rindex(")") + 2:].split()[19])
    except (ValueError, IndexError):
        return None


def kill_if_same(pid: int, recorded_ticks: int) -> bool:
    """SIGKILLs `pid` only if it is still the process that started at `recorded_ticks`. Through
    a pidfd, so the pid cannot be reused between the check and the kill."""
    if pid <= 0 or recorded_ticks <= 0:
        return False  # Nothing recorded to prove it is the same process.
    try:
        pidfd = os.pidfd_open(pid)
    except OSError:
        return False  # Gone.
    try:
        if start_ticks(pid) != recorded_ticks:
            return False
        signal.pidfd_send_signal(pidfd, signal.SIGKILL)
        return True
    except OSError:
        return False
    finally:
        os.close(pidfd)


def wait_until(predicate, timeout: float = 60.0, interval: float = 0.2, message: str = ""):
    """Polls `predicate` until it returns a truthy value (returned) or the deadline passes."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s: {message} (last: {last!r})")


# What every test agent runs with, as kind configures its kubelets: no disk thresholds (the node
# would report DiskPressure, and take no pods, whenever the test machine's disk is over 85 %
# full) and no image garbage collection. A test's own extra_args come later and win.
TEST_NODE_ARGS = ["--eviction-hard", "memory.available<100Mi", "--image-gc-high-threshold", "100"]


class Agent:
    def __init__(self, binary: str, engine, node_name: str, data_dir: Path,
                 runtime: str = "process", node_ip: str = "127.0.0.1",
                 extra_args: list[str] | None = None):
        self.binary = binary
        self.engine = engine
        self.node_name = node_name
        self.data_dir = Path(data_dir)
        self.runtime = runtime
        self.node_ip = node_ip
        self.extra_args = list(extra_args or [])
        self.proc: subprocess.Popen | None = None
        self.log_path = self.data_dir.parent / (self.data_dir.name + "-agent.log")
        self.kind = ""

    # -- lifecycle -------------------------------------------------------------------------
    def start(self, timeout: float = 60.0) -> "Agent":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [self.binary, "--kubeconfig", self.engine.kubeconfig, "--node-name", self.node_name,
             "--data-dir", str(self.data_dir), "--runtime", self.runtime, "--node-ip",
             self.node_ip, "--port", "0", *TEST_NODE_ARGS, *self.extra_args],
            stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + timeout
        buf = b""
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.kill()
                raise AgentError(f"no ready line within {timeout}s; log: {self.tail_log()}")
            ready, _, _ = select.select([self.proc.stdout], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            if not chunk:
                raise AgentError(f"agent exited ({self.proc.wait()}); log: {self.tail_log()}")
            buf += chunk
            for line in buf.decode(errors="replace").splitlines():
                m = READY.match(line.strip())
                if m:
                    assert m.group(1) == self.node_name, line
                    self.kind = m.group(2)
                    return self

    def stop(self, timeout: float = 30.0) -> int:
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
        if not self.proc:
            return
        self.proc.kill()
        self.proc.wait()
        self.proc.stdout.close()
        self.proc = None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    @property
    def pid(self) -> int:
        return self.proc.pid if self.proc else -1

    def tail_log(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "<no log>"

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def remove_containers(self) -> None:
        """Stops what the agent left running (containers outlive it by design). Only processes
        that are still the ones the monitors recorded: a container that exited long ago left
        its pid behind, and pids wrap, so that number may be another test's process now."""
        for state in self.data_dir.glob("runtime/*/containers/*/monitor/state.json"):
            try:
                recorded = json.loads(state.read_text())
            except (OSError, ValueError):
                continue
            if recorded.get("status") == "exited":
                continue
            kill_if_same(recorded.get("pid", 0), recorded.get("pidStartTicks", 0))
        # The pod bridge outlives the agent by design (as cni0 does a kubelet's); each test
        # cluster has its own, so remove it with the cluster instead of leaving it on the host.
        for conflist in self.data_dir.rglob("*.conflist"):
            try:
                plugins = json.loads(conflist.read_text()).get("plugins", [])
            except (OSError, ValueError):
                continue
            for plugin in plugins:
                if plugin.get("type") == "bridge" and plugin.get("bridge"):
                    subprocess.run(["ip", "link", "delete", plugin["bridge"]],
                                   capture_output=True, check=False)

    # -- the agent's HTTPS server ----------------------------------------------------------
    @property
    def port(self) -> int:
        node = self.engine.kjson("get", "node", self.node_name)
        return node["status"]["daemonEndpoints"]["kubeletEndpoint"]["Port"]

    def _ssl(self, with_cert: bool = True) -> ssl.SSLContext:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE  # the agent's serving certificate is self-signed
        if with_cert:
            pki = self.engine.data_dir / "pki"
            ctx.load_cert_chain(str(pki / "admin.crt"), str(pki / "admin.key"))
        return ctx

    def url(self, path: str, **params) -> str:
        query = urllib.parse.urlencode(params, doseq=True)
        return f"https://{self.node_ip}:{self.port}{path}" + (f"?{query}" if query else "")

    def get(self, path: str, with_cert: bool = True, timeout: float = 30.0, **params):
        """(status, body) of a GET to the agent."""
        request = urllib.request.Request(self.url(path, **params))
        try:
            with urllib.request.urlopen(request, context=self._ssl(with_cert),
                                        timeout=timeout) as response:
                return response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(errors="replace")

    def logs(self, ns: str, pod: str, container: str, **params) -> str:
        status, body = self.get(f"/containerLogs/{ns}/{pod}/{container}", **params)
        assert status == 200, (status, body)
        return body

    def follow_logs(self, ns: str, pod: str, container: str, **params):
        """An open streaming response of `follow=true` logs."""
        params["follow"] = "true"
        request = urllib.request.Request(
            self.url(f"/containerLogs/{ns}/{pod}/{container}", **params))
        return urllib.request.urlopen(request, context=self._ssl(), timeout=60)

    def exec(self, ns: str, pod: str, container: str, command: list[str],
             stdin: bytes | None = None, protocol: str = "v5.channel.k8s.io",
             timeout: float = 30.0) -> tuple[bytes, bytes, dict]:
        """Runs `command` over the exec WebSocket; returns (stdout, stderr, status)."""
        import websocket  # python3-websocket, a dependency of python3-kubernetes

        params = [("command", c) for c in command] + [("stdout", "true"), ("stderr", "true")]
        if stdin is not None:
            params.append(("stdin", "true"))
        url = (f"wss://{self.node_ip}:{self.port}/exec/{ns}/{pod}/{container}?"
               + urllib.parse.urlencode(params))
        pki = self.engine.data_dir / "pki"
        ws = websocket.create_connection(
            url, subprotocols=[protocol], timeout=timeout,
            sslopt={"cert_reqs": ssl.CERT_NONE, "check_hostname": False,
                    "certfile": str(pki / "admin.crt"), "keyfile": str(pki / "admin.key")})
        assert ws.subprotocol == protocol, ws.subprotocol
        if stdin is not None:
            ws.send_binary(b"\x00" + stdin)
            if protocol.startswith("v5"):
                ws.send_binary(b"\xff\x00")
        out, err, status = b"", b"", {}
        while True:
            try:
                opcode, data = ws.recv_data()
            except websocket.WebSocketConnectionClosedException:
                break
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                break
            if not data:
                continue
            channel, payload = data[0], data[1:]
            if channel == 1:
                out += payload
            elif channel == 2:
                err += payload
            elif channel == 3:
                status = json.loads(payload)
        ws.close()
        return out, err, status
