#!/usr/bin/python3
"""Node agent benchmark (docs/budgets.md, "Node agent"): pod startup latency and agent RSS.

Starts a pilothouse-engine and one pilothouse-agent (127.0.0.1:0, temporary data dirs) and
measures, with the Python client (a watch on pods, as a user's tooling would see it):

1. startup latency: `--sequential` pods created one after another, each from the create call to
   the watch event that shows it Running (image cached: the first pod warms the cache and is
   not counted); p50 and p99;
2. burst: `--burst` pods (100) created at `--rate` per second (10) on the one node; the time
   until every one is Running, and the p50/p99 create->Running latency within the burst;
3. the agent's RSS idle (after registration) and with the burst running (VmRSS, VmHWM).

Anchors printed beside the figures are the budgets and upstream's published numbers (SLO 5 s;
measured upstream p50 1.1 s, p99 2.1 s; node e2e batch of 10 p99 <= 20 s; kubelet e2e RSS limit
50 MB). With `--runtime runc` images come from a local registry built from busybox-static.

  bench/agentbench.py [--build build] [--runtime process|runc] [--sequential 30] [--burst 100]
                      [--rate 10] [--runs 1]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "compat"))
from pilot_agent import Agent, wait_until  # noqa: E402
from pilot_engine import Engine  # noqa: E402

POD = {
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "", "namespace": "bench", "labels": {"bench": "yes"}},
    "spec": {"terminationGracePeriodSeconds": 1, "nodeName": "bench-node",
             "containers": [{"name": "c", "image": "busybox:1.36", "command": ["sleep", "3600"],
                             "imagePullPolicy": "IfNotPresent"}]},
}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


class RunningWatch:
    """A watch on the bench namespace recording when each pod is first seen Running."""

    def __init__(self, api):
        from kubernetes import watch
        self.api = api
        self.running: dict[str, float] = {}
        self.cv = threading.Condition()
        self.watch = watch.Watch()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        for event in self.watch.stream(self.api.list_namespaced_pod, "bench", timeout_seconds=0):
            pod = event["object"]
            if isinstance(pod, dict) or not pod.status or pod.status.phase != "Running":
                continue
            with self.cv:
                self.running.setdefault(pod.metadata.name, time.monotonic())
                self.cv.notify_all()

    def wait(self, names: list[str], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self.cv:
            while not all(n in self.running for n in names):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.cv.wait(left)
        return True

    def stop(self):
        self.watch.stop()


def rss(agent: Agent) -> tuple[int, int]:
    fields = {}
    for line in Path(f"/proc/{agent.pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def one_run(args) -> dict:
    from kubernetes import client, config
    tmp = Path(tempfile.mkdtemp(prefix="agentbench-"))
    engine = Engine(str(args.build / "bin" / "pilothouse-engine"), tmp / "engine").start()
    registry = None
    extra = []
    if args.runtime == "runc":
        from testregistry import TestRegistry
        registry = TestRegistry(tmp / "registry").start()
        extra = ["--registry-mirror", f"docker.io={registry.url}"]
    agent = Agent(str(args.build / "bin" / "pilothouse-agent"), engine, "bench-node",
                  tmp / "agent", runtime=args.runtime, extra_args=extra).start()
    try:
        engine.k("create", "namespace", "bench")
        wait_until(lambda: engine.k("get", "serviceaccount", "default", "-n", "bench",
                                    check=False).returncode == 0, 30)
        idle = rss(agent)
        api = client.CoreV1Api(config.new_client_from_config(engine.kubeconfig))
        watch = RunningWatch(api)

        def create(name: str) -> float:
            body = dict(POD, metadata=dict(POD["metadata"], name=name))
            started = time.monotonic()
            api.create_namespaced_pod("bench", body)
            return started

        # Warm the image cache (not counted).
        create("warm")
        assert watch.wait(["warm"], 120), "the first pod never ran"
        latencies = []
        for i in range(args.sequential):
            name = f"seq-{i}"
            started = create(name)
            assert watch.wait([name], 60), f"{name} never ran"
            latencies.append(watch.running[name] - started)

        names, starts = [], {}
        burst_start = time.monotonic()
        for i in range(args.burst):
            name = f"burst-{i}"
            target = burst_start + i / args.rate
            delay = target - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            starts[name] = create(name)
            names.append(name)
        ok = watch.wait(names, 300)
        all_running = max(watch.running.get(n, float("inf")) for n in names) - burst_start
        burst_latencies = [watch.running[n] - starts[n] for n in names if n in watch.running]
        busy = rss(agent)
        watch.stop()
        return {
            "seq_p50": statistics.median(latencies), "seq_p99": percentile(latencies, 99),
            "burst_all": all_running if ok else float("inf"),
            "burst_p50": statistics.median(burst_latencies),
            "burst_p99": percentile(burst_latencies, 99),
            "rss_idle": idle[0], "rss_busy": busy[0], "hwm": busy[1],
        }
    finally:
        engine.k("delete", "namespace", "bench", "--wait=true", check=False, timeout=300)
        agent.stop()
        agent.remove_containers()
        engine.stop()
        if registry:
            registry.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", type=Path, default=ROOT / "build")
    parser.add_argument("--runtime", default="process", choices=["process", "runc"])
    parser.add_argument("--sequential", type=int, default=30)
    parser.add_argument("--burst", type=int, default=100)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    args.build = args.build.resolve()
    results = [one_run(args) for _ in range(args.runs)]

    def med(key):
        return statistics.median(r[key] for r in results)
    budget = {"process": 0.3, "runc": 1.0}[args.runtime]
    print(f"agentbench runtime={args.runtime} runs={args.runs} (medians)")
    print(f"  pod startup create->Running (watch), {args.sequential} pods one at a time:")
    print(f"    p50 {med('seq_p50') * 1000:.0f} ms   p99 {med('seq_p99') * 1000:.0f} ms   "
          f"| budget p99 <= {budget * 1000:.0f} ms; upstream measured p50 1100 ms, p99 2100 ms")
    print(f"  {args.burst} pods on one node at {args.rate:g}/s:")
    print(f"    all Running after {med('burst_all'):.2f} s (from the first create)   "
          f"create->Running p50 {med('burst_p50') * 1000:.0f} ms p99 "
          f"{med('burst_p99') * 1000:.0f} ms   | budget all Running <= 15 s; "
          "node e2e batch of 10 p99 <= 20 s")
    print(f"  agent RSS idle {med('rss_idle') / 1024:.1f} MiB, with {args.burst + args.sequential + 1}"
          f" pods {med('rss_busy') / 1024:.1f} MiB (peak {med('hwm') / 1024:.1f} MiB)   "
          "| budget <= 25 MiB; kubelet e2e limit 50 MB, k3s agent 275 MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
