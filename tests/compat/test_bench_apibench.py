"""pilot-apibench, the driver behind the API figures in docs/benchmarks.md, on a short run: it
starts the engine and Debian's etcd itself, runs every phase and reports each figure with its
anchor, so a change that breaks the measurement (not only the engine) shows here."""

import json
import os
import shutil
import subprocess

import pytest


def test_every_phase_reports_its_figures_beside_etcd(engine_binary, tmp_path):
    bench = os.environ.get("PILOT_APIBENCH", "")
    if not bench or not os.access(bench, os.X_OK):
        pytest.skip("PILOT_APIBENCH is not set to the pilot-apibench binary")
    if not shutil.which("etcd"):
        pytest.skip("etcd-server is not installed")
    out = tmp_path / "figures.json"
    run = subprocess.run(
        [bench, "--engine", engine_binary, "--duration", "1", "--rounds", "2", "--clients", "20",
         "--write-rate", "100", "--get-rate", "200", "--get-objects", "50", "--list-pods", "200",
         "--list-runs", "2", "--watchers", "3", "--watch-rate", "100", "--json", str(out)],
        capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads(out.read_text())
    figures = report["figures"]
    text = run.stdout

    # Creates: two alternating rounds each of the engine and etcd, the median ratio reported.
    assert text.count("round 1 engine:") == 1 and text.count("round 2 etcd:") == 1, text
    assert figures["create.engine_per_s"]["value"] > 0
    assert figures["create.etcd_per_s"]["value"] > 0
    ratio = figures["create.ratio"]["value"]
    assert ratio == pytest.approx(figures["create.engine_per_s"]["value"] /
                                  figures["create.etcd_per_s"]["value"], rel=0.5)
    # Every other phase measured something.
    for key in ("write.engine_p99_ms", "get_p99_ms", "list.json_ms", "list.table_ms",
                "watch.delivery_p99_ms", "watch_pb.delivery_p99_ms"):
        assert figures[key]["value"] is not None and figures[key]["value"] > 0, (key, figures[key])
    # The fan-out runs once with JSON watchers and once with protobuf ones (length-prefixed
    # frames the driver cuts and walks itself); every watcher must get every event in both.
    assert figures["watch.watchers_complete"]["value"] == 3, text
    assert figures["watch_pb.watchers_complete"]["value"] == 3, text
    assert "ENGINE DIED" not in text
    # The report says which allocator the engine ran with (from its /metrics).
    allocator = report["info"]["engine_allocator"]
    assert allocator.split(" ")[0] in ("jemalloc", "glibc"), allocator
    assert len(allocator.split(" ")) == 2, allocator
