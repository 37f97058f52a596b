#!/usr/bin/env python3
"""Registry budgets of docs/budgets.md, measured beside Debian's docker-registry 2.8.2 in the
same run on the same machine.

Starts a pilothouse-engine (its registry) and `/usr/bin/docker-registry serve CONFIG` on
127.0.0.1, both serving TLS with the engine's serving certificate (so the same client trust and
the same cipher work applies to both), then measures:

  push/pull   (MB/s and server CPU ms, medians) skopeo 1.9 `copy` of an image with one layer of 1, 10 and 100 MB of
              incompressible data, oci: -> docker:// and back to a fresh oci: directory; and a
              direct HTTP driver (python3 requests): monolithic POST+PUT, chunked POST+PATCH
              (8 MiB chunks with Content-Range)+PUT, and GET of the blob. Median of --repeats,
              fresh data each time, the two registries alternating.
  memory      VmHWM (peak RSS) of both processes after the transfers and after the listings.
  listings    10,000 repositories with one tagged manifest each, then the closed-loop rate of
              `_catalog?n=100&last=<random>` pages and of `<repo>/tags/list` from
              build/bench/pilot-registrybench-lists (C++ driver, 8 keep-alive connections).

Each figure is printed beside docker-registry's and the ratio. The machine is shared: run it on
a quiet machine and read ratios rather than absolute numbers.

    bench/registrybench/registrybench.py [--build build] [--repeats 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "compat"))
sys.path.insert(0, str(ROOT / "tests" / "support" / "images"))

import ocilayout  # noqa: E402
from pilot_engine import Engine  # noqa: E402
from registryclient import OCI_MANIFEST, RegistryClient, digest_of, relative, with_query  # noqa: E402

SKOPEO = "/usr/bin/skopeo"
DOCKER_REGISTRY = "/usr/bin/docker-registry"
CHUNK = 8 << 20


class Target:
    def __init__(self, name: str, url: str, ca: str, auth, pid: int):
        self.name, self.url, self.ca, self.auth, self.pid = name, url, ca, auth, pid
        self.client = RegistryClient(url, ca, auth, timeout=600)

    @property
    def host(self) -> str:
        return self.url.removeprefix("https://")

    def cpu(self) -> float:
        """User + system CPU seconds the server has used so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def memory(self) -> dict:
        out = {}
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) / 1024
        return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_docker_registry(work: Path, cert: str, key: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    config = work / "docker-registry.yml"
    config.write_text(f"""version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: {work / "docker-registry-data"}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:{port}
  tls:
    certificate: {cert}
    key: {key}
""")
    log = open(work / "docker-registry.log", "wb")
    proc = subprocess.Popen([DOCKER_REGISTRY, "serve", str(config)], stdout=log, stderr=log)
    return proc, f"https://127.0.0.1:{port}"


def wait_ready(target: Target, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if target.client.get("/v2/").status_code in (200, 401):
                return
        except Exception:  # noqa: BLE001 - not listening yet
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"{target.name} not ready after {timeout}s")
        time.sleep(0.05)


class Skopeo:
    def __init__(self, work: Path, ca: str):
        self.certs = work / "certs.d"
        self.certs.mkdir(exist_ok=True)
        shutil.copy(ca, self.certs / "ca.crt")
        self.policy = work / "policy.json"
        self.policy.write_text('{"default":[{"type":"insecureAcceptAnything"}]}')
        self.env = {"PATH": "/usr/bin:/bin", "HOME": str(work),
                    "REGISTRY_AUTH_FILE": str(work / "auth.json")}

    def copy(self, source: str, dest: str, creds=None) -> float:
        args = [SKOPEO, "--policy", str(self.policy), "copy", "--src-cert-dir", str(self.certs),
                "--dest-cert-dir", str(self.certs)]
        if creds:
            args += ["--dest-creds", f"{creds[0]}:{creds[1]}"]
        start = time.monotonic()
        result = subprocess.run([*args, source, dest], capture_output=True, text=True,
                                env=self.env)
        elapsed = time.monotonic() - start
        if result.returncode != 0:
            raise SystemExit(f"skopeo copy {source} {dest}: {result.stderr}")
        return elapsed


def push_monolithic(target: Target, repo: str, blob: bytes) -> float:
    start = time.monotonic()
    started = target.client.post(f"/v2/{repo}/blobs/uploads/")
    done = target.client.put(with_query(relative(started.headers["Location"]),
                                        digest=digest_of(blob)), data=blob,
                             headers={"Content-Type": "application/octet-stream"})
    assert done.status_code == 201, (target.name, done.status_code, done.text)
    return time.monotonic() - start


def push_chunked(target: Target, repo: str, blob: bytes) -> float:
    start = time.monotonic()
    response = target.client.post(f"/v2/{repo}/blobs/uploads/", headers={"Content-Length": "0"})
    for offset in range(0, len(blob), CHUNK):
        piece = blob[offset:offset + CHUNK]
        response = target.client.patch(
            relative(response.headers["Location"]), data=piece,
            headers={"Content-Type": "application/octet-stream",
                     "Content-Range": f"{offset}-{offset + len(piece) - 1}"})
        assert response.status_code == 202, (target.name, response.status_code, response.text)
    done = target.client.put(with_query(relative(response.headers["Location"]),
                                        digest=digest_of(blob)))
    assert done.status_code == 201, (target.name, done.status_code, done.text)
    return time.monotonic() - start


def pull(target: Target, repo: str, blob: bytes) -> float:
    start = time.monotonic()
    response = target.client.get(f"/v2/{repo}/blobs/{digest_of(blob)}", stream=True)
    received = sum(len(piece) for piece in response.iter_content(1 << 20))
    assert received == len(blob), (target.name, received)
    return time.monotonic() - start


def transfers(targets: list[Target], skopeo: Skopeo, work: Path, sizes: list[int],
              repeats: int) -> list[dict]:
    """Throughput (MB/s, median) of each operation, and the server CPU it took (seconds,
    median): wall time moves with whatever else runs on a shared machine, CPU time much less."""
    rows = []
    cpu_rows = []
    seed = 1
    operations = ("skopeo push", "skopeo pull", "HTTP monolithic push", "HTTP chunked push",
                  "HTTP GET")
    for size_mb in sizes:
        size = size_mb << 20
        timings: dict[tuple[str, str], list[tuple[float, float]]] = {}

        def measure(target: Target, operation: str, run) -> None:
            before = target.cpu()
            seconds = run()
            timings.setdefault((target.name, operation), []).append(
                (seconds, target.cpu() - before))

        for repeat in range(repeats):
            order = targets if repeat % 2 == 0 else list(reversed(targets))
            for target in order:
                seed += 1
                image = ocilayout.Image(layers=[ocilayout.random_layer(size, seed)],
                                        config=ocilayout.ImageConfig(cmd=["true"]))
                layout = ocilayout.write_layout(work / f"layout-{seed}", "v1", image)
                repo = f"bench/skopeo-{size_mb}m-{seed}"
                out = work / f"pulled-{seed}"
                measure(target, "skopeo push", lambda: skopeo.copy(
                    layout.reference, f"docker://{target.host}/{repo}:v1", target.auth))
                measure(target, "skopeo pull", lambda: skopeo.copy(
                    f"docker://{target.host}/{repo}:v1", f"oci:{out}:v1"))
                shutil.rmtree(layout.path)
                shutil.rmtree(out)
                blob = random.Random(seed * 7919).randbytes(size)
                measure(target, "HTTP monolithic push",
                        lambda: push_monolithic(target, f"bench/http-{seed}", blob))
                measure(target, "HTTP GET", lambda: pull(target, f"bench/http-{seed}", blob))
                blob = random.Random(seed * 104729).randbytes(size)
                measure(target, "HTTP chunked push",
                        lambda: push_chunked(target, f"bench/chunked-{seed}", blob))
        for operation in operations:
            row = {"what": f"{operation} {size_mb} MB (MB/s)"}
            cpu = {"what": f"{operation} {size_mb} MB (server CPU ms)"}
            for target in targets:
                samples = timings[(target.name, operation)]
                row[target.name] = size_mb / statistics.median(s[0] for s in samples)
                cpu[target.name] = 1000 * statistics.median(s[1] for s in samples)
            rows.append(row)
            cpu_rows.append(cpu)
    return rows + cpu_rows


def populate(target: Target, repos: int, prefix: str, threads: int = 4) -> float:
    """One config-only image tagged v1 in each of `repos` repositories (mounting the config)."""
    config = json.dumps({"architecture": "amd64", "os": "linux",
                         "rootfs": {"type": "layers", "diff_ids": []}}).encode()
    config_digest = target.client.upload_blob("bench/source", config)
    manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                      "digest": config_digest, "size": len(config)},
                           "layers": []}).encode()
    start = time.monotonic()
    errors: list[str] = []

    def work(first: int) -> None:
        client = RegistryClient(target.url, target.ca, target.auth)
        for i in range(first, repos, threads):
            repo = f"{prefix}{i:05}"
            mounted = client.post(with_query(f"/v2/{repo}/blobs/uploads/", mount=config_digest,
                                             **{"from": "bench/source"}))
            put = client.put_manifest(repo, "v1", manifest)
            if mounted.status_code != 201 or put.status_code != 201:
                errors.append(f"{repo}: mount {mounted.status_code}, manifest {put.status_code}")
                return

    pool = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    if errors:
        raise SystemExit(f"{target.name}: populate failed: {errors[:3]}")
    return time.monotonic() - start


def listings(targets: list[Target], driver: Path, repos: int, seconds: float,
             clients: int) -> list[dict]:
    prefix = "bench/repo-"
    rows = [{"what": f"populate {repos} repositories (s, lower is better)"}]
    for target in targets:
        rows[0][target.name] = populate(target, repos, prefix)
    for mode in ("catalog", "tags"):
        row = {"what": f"{mode} req/s ({repos} repos)"}
        latency = {"what": f"{mode} p99 ms (lower is better)"}
        for target in targets:
            out = subprocess.run([str(driver), "--url", target.url, "--ca", target.ca, "--mode",
                                  mode, "--repos", str(repos), "--prefix", prefix, "--clients",
                                  str(clients), "--seconds", str(seconds)],
                                 capture_output=True, text=True, check=True)
            figures = json.loads(out.stdout)
            if figures["failed"]:
                print(f"{target.name} {mode}: {figures['failed']} failed: {out.stderr}",
                      file=sys.stderr)
            row[target.name] = figures["rate"]
            latency[target.name] = figures["p99_ms"]
        rows += [row, latency]
    return rows


def print_table(rows: list[dict], names: list[str]) -> None:
    header = f"{'':50} {names[0]:>14} {names[1]:>16} {'ratio':>7}"
    print(header)
    print("-" * len(header))
    for row in rows:
        a, b = row.get(names[0]), row.get(names[1])
        ratio = f"{a / b:7.2f}" if a and b else ""
        print(f"{row['what']:50} {a:14.1f} {b:16.1f} {ratio}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default=str(ROOT / "build"))
    parser.add_argument("--engine", default="")
    parser.add_argument("--sizes", default="1,10,100")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--repos", type=int, default=10000)
    parser.add_argument("--list-seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--skip-transfers", action="store_true")
    parser.add_argument("--skip-listings", action="store_true")
    parser.add_argument("--json", default="")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    build = Path(args.build)
    engine_binary = args.engine or str(build / "bin" / "pilothouse-engine")
    driver = build / "bench" / "pilot-registrybench-lists"

    work = Path(tempfile.mkdtemp(prefix="registrybench-"))
    engine = Engine(engine_binary, work / "engine").start()
    docker, docker_url = start_docker_registry(work, str(work / "engine" / "pki" / "serving.crt"),
                                               str(work / "engine" / "pki" / "serving.key"))
    try:
        targets = [Target("pilothouse", engine.registry, engine.ca_file, engine.registry_admin(),
                          engine.pid),
                   Target("docker-registry", docker_url, engine.ca_file, None, docker.pid)]
        for target in targets:
            wait_ready(target)
        names = [t.name for t in targets]
        idle = {t.name: t.memory() for t in targets}
        rows = [{"what": "idle RSS (MiB)", **{n: idle[n]["VmRSS"] for n in names}}]
        if not args.skip_transfers:
            sizes = [int(s) for s in args.sizes.split(",")]
            rows += transfers(targets, Skopeo(work, engine.ca_file), work, sizes, args.repeats)
            rows.append({"what": "peak RSS after transfers (MiB, lower is better)",
                         **{t.name: t.memory()["VmHWM"] for t in targets}})
        if not args.skip_listings:
            rows += listings(targets, driver, args.repos, args.list_seconds, args.clients)
            rows.append({"what": "peak RSS after listings (MiB, lower is better)",
                         **{t.name: t.memory()["VmHWM"] for t in targets}})
        print_table(rows, names)
        if args.json:
            Path(args.json).write_text(json.dumps(rows, indent=2))
    finally:
        docker.send_signal(signal.SIGTERM)
        docker.wait()
        engine.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
