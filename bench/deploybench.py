#!/usr/bin/python3
"""Deployment of N replicas to Running on simulated nodes (issue "Engine II" benchmark).

Starts a pilothouse-engine (temporary data dir, 127.0.0.1:0) and pilot-simnodes (nodes that
renew their leases and report bound pods Running and Ready, as a node agent would), creates a
Deployment of --replicas pods, and watches it until every replica is available. Prints the
time to that point, the API writes the cluster issued meanwhile (from the engine's
apiserver_request_total, by verb and resource) and the CPU the engine and the simulated nodes
used, and the engine's resident memory once every replica is available (VmRSS, VmHWM). Nothing else of kube-controller-manager's runs here to compare against, so the report
has no anchor; the figures go to docs/benchmarks.md.

  bench/deploybench.py [--build build] [--replicas 1000] [--nodes 100] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "compat"))
from pilot_engine import Engine, LineReader  # noqa: E402

MUTATING = {"POST", "PUT", "PATCH", "DELETE", "DELETECOLLECTION", "APPLY"}
SAMPLE = re.compile(r'^apiserver_request_total\{([^}]*)\} (\S+)$')


def request_counts(engine: Engine) -> Counter:
    text = subprocess.run(engine.curl_args() + [engine.api + "/metrics"], check=True,
                          capture_output=True, text=True).stdout
    counts: Counter = Counter()
    for line in text.splitlines():
        m = SAMPLE.match(line)
        if not m:
            continue
        labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
        if labels.get("verb") not in MUTATING:
            continue
        what = labels["resource"] + (f"/{labels['subresource']}" if labels.get("subresource") else "")
        counts[(labels["verb"], what)] += int(float(m.group(2)))
    return counts


def memory_mib(pid: int) -> tuple[float, float]:
    """The process's resident set now and at its peak (VmRSS, VmHWM) in MiB."""
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                  if ":" in line)
    return (int(status["VmRSS"].split()[0]) / 1024.0, int(status["VmHWM"].split()[0]) / 1024.0)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100.0


DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {{name: bench, namespace: bench}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: bench}}}}
  template:
    metadata: {{labels: {{app: bench}}}}
    spec:
      containers:
      - name: app
        image: registry.local/bench/app:1.0
        resources: {{requests: {{cpu: 10m, memory: 16Mi}}}}
"""


def run_once(args, work: Path) -> dict:
    engine = Engine(str(args.build / "bin" / "pilothouse-engine"), work / "data").start()
    nodes = subprocess.Popen([str(args.build / "tests" / "pilot-simnodes"), "--kubeconfig",
                              engine.kubeconfig, "--count", str(args.nodes)],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        LineReader(nodes).wait_for(lambda l: l.startswith(f"ready nodes={args.nodes}"),
                                   timeout=120)
        engine.k("create", "namespace", "bench")
        # Watch first, so the moment the last replica turns available is seen as it happens.
        watch = subprocess.Popen(
            engine.kubectl_args("get", "deploy", "-n", "bench", "--watch",
                                "--output-watch-events", "-o",
                                "jsonpath={.object.status.availableReplicas}{\"\\n\"}"),
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        before = request_counts(engine)
        engine_cpu, nodes_cpu = cpu_seconds(engine.pid), cpu_seconds(nodes.pid)
        start = time.monotonic()
        engine.k("apply", "-f", "-", input=DEPLOYMENT.format(replicas=args.replicas))
        LineReader(watch).wait_for(lambda l: l.strip() == str(args.replicas),
                                   timeout=args.timeout)
        elapsed = time.monotonic() - start
        writes = request_counts(engine) - before
        result = {
            "seconds": elapsed,
            "writes": sum(writes.values()),
            "by_kind": {f"{verb} {what}": n for (verb, what), n in writes.most_common()},
            "engine_cpu": cpu_seconds(engine.pid) - engine_cpu,
            "nodes_cpu": cpu_seconds(nodes.pid) - nodes_cpu,
            "engine_rss_mib": memory_mib(engine.pid)[0],
            "engine_peak_rss_mib": memory_mib(engine.pid)[1],
        }
        watch.terminate()
        watch.wait(10)
        return result
    finally:
        nodes.terminate()
        nodes.wait(10)
        engine.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", type=Path, default=ROOT / "build")
    parser.add_argument("--replicas", type=int, default=1000)
    parser.add_argument("--nodes", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    results = []
    for run in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="pilot-deploybench.") as tmp:
            r = run_once(args, Path(tmp))
        results.append(r)
        print(f"run {run + 1}: {args.replicas} replicas available in {r['seconds']:.2f} s, "
              f"{r['writes']} API writes, engine CPU {r['engine_cpu']:.2f} s, "
              f"simulated nodes CPU {r['nodes_cpu']:.2f} s, engine RSS {r['engine_rss_mib']:.1f} MiB "
              f"(peak {r['engine_peak_rss_mib']:.1f})", flush=True)
    median = statistics.median(r["seconds"] for r in results)
    best = min(results, key=lambda r: abs(r["seconds"] - median))
    print(f"\nDeployment of {args.replicas} replicas on {args.nodes} simulated nodes, "
          f"median of {args.runs}: {median:.2f} s to all available; "
          f"{best['writes']} API writes ({best['writes'] / args.replicas:.2f} per replica)")
    for kind, n in best["by_kind"].items():
        print(f"  {n:6d}  {kind}")
    print(json.dumps({"replicas": args.replicas, "nodes": args.nodes, "runs": results}),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
