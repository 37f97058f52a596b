"""GET /metrics (Engine I: "request counts and latencies by verb/resource, watchers, store commit
latency"): scraped with kubectl, checked with Prometheus' own promtool, and compared with what
kubectl did: counters by kube-apiserver's verb/scope labels, the WATCH gauge while a
`kubectl get -w` is open, stored objects, and the store's commit histogram."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time

import pytest

from pilot_engine import LineReader

PROMTOOL = "/usr/bin/promtool"
NS = "metrics"
SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$")
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)')


class Scrape:
    """One /metrics exposition: its text, the TYPE of every family, and its samples."""

    def __init__(self, text: str):
        self.text = text
        self.types: dict[str, str] = {}
        self.helps: set[str] = set()
        self.samples: list[tuple[str, dict[str, str], float]] = []
        for line in text.splitlines():
            if line.startswith("# HELP "):
                self.helps.add(line.split(" ")[2])
            elif line.startswith("# TYPE "):
                _, _, name, kind = line.split(" ")
                self.types[name] = kind
            elif line:
                m = SAMPLE.match(line)
                assert m, f"not a sample line: {line!r}"
                labels = dict(LABEL.findall(m.group(2) or ""))
                self.samples.append((m.group(1), labels, float(m.group(3))))

    def value(self, name: str, **labels: str) -> float:
        """The sum of the samples of `name` whose labels include `labels` (0 when none)."""
        return sum(v for n, l, v in self.samples
                   if n == name and all(l.get(k) == want for k, want in labels.items()))

    def has(self, name: str, **labels: str) -> bool:
        return any(n == name and all(l.get(k) == want for k, want in labels.items())
                   for n, l, _ in self.samples)


def scrape(engine) -> Scrape:
    return Scrape(engine.k("get", "--raw", "/metrics", timeout=30).stdout)


def poll(engine, predicate, what: str, timeout: float = 20.0) -> Scrape:
    """Scrapes until `predicate(scrape)` holds; each scrape is a round trip, never a sleep."""
    deadline = time.monotonic() + timeout
    while True:
        s = scrape(engine)
        if predicate(s):
            return s
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not seen within {timeout}s\n{s.text}")


def request_count(s: Scrape, verb: str, resource: str, code: str, **labels: str) -> float:
    return s.value("apiserver_request_total", verb=verb, resource=resource, code=code,
                   component="apiserver", **labels)


CONFIGMAP = """apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}
  namespace: metrics
data:
  k: v
"""


@pytest.fixture(scope="module")
def ns(engine):
    engine.k("create", "namespace", NS)
    return NS


def test_exposition_passes_promtool(engine, ns):
    assert shutil.which(PROMTOOL), "promtool missing: scripts/install-deps.sh installs prometheus"
    engine.k("create", "configmap", "lint", "-n", ns, "--from-literal=a=b")
    engine.k("get", "configmaps", "-n", ns)
    s = scrape(engine)
    res = subprocess.run([PROMTOOL, "check", "metrics"], input=s.text, capture_output=True,
                         text=True, timeout=30)
    assert res.returncode == 0, f"promtool: {res.stdout}{res.stderr}\n{s.text}"

    # Every sample belongs to a family with HELP and TYPE; histograms are cumulative.
    for name, _, _ in s.samples:
        base = re.sub(r"_(bucket|sum|count)$", "", name)
        family = base if s.types.get(base) == "histogram" else name
        assert family in s.types and family in s.helps, f"{name} has no HELP/TYPE"
    for family, kind in s.types.items():
        if kind != "histogram":
            continue
        series: dict[tuple, list[float]] = {}
        for name, labels, value in s.samples:
            if name == family + "_bucket":
                key = tuple(sorted((k, v) for k, v in labels.items() if k != "le"))
                series.setdefault(key, []).append(value)
        for key, buckets in series.items():
            assert buckets == sorted(buckets), f"{family}{key} buckets not cumulative"
            assert buckets[-1] == s.value(family + "_count", **dict(key)), \
                f"{family}{key}: +Inf bucket differs from _count"

    # Deterministic order: families by name, labels by name, samples by their label values.
    assert list(s.types) == sorted(s.types)
    for family, kind in s.types.items():
        if kind == "histogram":
            continue
        keys = [tuple(labels.values()) for n, labels, _ in s.samples if n == family]
        assert keys == sorted(keys), f"{family} samples out of order"
        for n, labels, _ in s.samples:
            if n == family:
                assert list(labels) == sorted(labels), f"{family} labels out of order"


def test_requests_counted_by_verb_scope_and_code(engine, ns):
    before = scrape(engine)
    engine.k("create", "configmap", "one", "-n", ns, "--from-literal=a=b")
    engine.k("get", "configmap", "one", "-n", ns)
    engine.k("get", "configmaps", "-n", ns)
    missing = engine.k("get", "configmap", "missing", "-n", ns, check=False)
    assert missing.returncode == 1
    engine.k("create", "configmap", "dry", "-n", ns, "--dry-run=server")
    engine.k("apply", "--server-side", "-f", "-", input=CONFIGMAP.format(name="applied"))
    engine.k("delete", "configmap", "one", "-n", ns, "--wait=false")
    after = scrape(engine)

    def delta(verb, code, **labels):
        return (request_count(after, verb, "configmaps", code, **labels)
                - request_count(before, verb, "configmaps", code, **labels))

    assert delta("POST", "201", scope="resource", dry_run="", version="v1", group="") == 1
    assert delta("POST", "201", scope="resource", dry_run="All") == 1
    assert delta("GET", "200", scope="resource") >= 1
    assert delta("GET", "404", scope="resource") == 1
    assert delta("LIST", "200", scope="namespace") == 1
    assert delta("APPLY", "201", scope="resource") + delta("APPLY", "200", scope="resource") == 1
    assert delta("DELETE", "200", scope="resource") == 1

    # Latencies in kube-apiserver's buckets, under the same labels.
    series = dict(verb="POST", resource="configmaps", scope="resource", dry_run="")
    assert after.value("apiserver_request_duration_seconds_count", **series) == \
        before.value("apiserver_request_duration_seconds_count", **series) + 1
    assert after.has("apiserver_request_duration_seconds_bucket", le="0.005", **series)
    assert after.has("apiserver_request_duration_seconds_bucket", le="60", **series)

    # Non-resource requests carry their path, as upstream records /healthz.
    engine.k("get", "--raw", "/healthz")
    s = scrape(engine)
    assert s.value("apiserver_request_total", verb="GET", subresource="/healthz", code="200",
                   resource="", scope="") >= 1


def test_watch_gauge_while_kubectl_watches(engine, ns):
    engine.k("create", "configmap", "watched", "-n", ns)
    gauge = dict(verb="WATCH", resource="configmaps", scope="namespace", group="",
                 version="v1", subresource="", component="apiserver")
    watch_count = dict(verb="WATCH", resource="configmaps", code="200", scope="namespace")
    before = scrape(engine)
    assert before.value("apiserver_longrunning_requests", **gauge) == 0
    watcher = subprocess.Popen(engine.kubectl_args("get", "configmaps", "-n", ns, "-w"),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        lines = LineReader(watcher)
        lines.wait_for(lambda l: l.startswith("watched"))
        during = poll(engine, lambda s: s.value("apiserver_longrunning_requests", **gauge) >= 1,
                      "an open WATCH of configmaps")
        assert during.value("apiserver_longrunning_requests", **gauge) == 1
        # While it is open the watch is not yet counted as a finished request.
        assert during.value("apiserver_request_total", **watch_count) == \
            before.value("apiserver_request_total", **watch_count)
        engine.k("create", "configmap", "during-watch", "-n", ns)
        lines.wait_for(lambda l: l.startswith("during-watch"))
    finally:
        watcher.kill()
        watcher.wait()
        watcher.stdout.close()
        watcher.stderr.close()
    after = poll(engine, lambda s: s.value("apiserver_longrunning_requests", **gauge) == 0,
                 "the WATCH gauge back at 0 after kubectl went away")
    assert after.value("apiserver_request_total", **watch_count) == \
        before.value("apiserver_request_total", **watch_count) + 1
    assert after.value("apiserver_request_duration_seconds_count", verb="WATCH",
                       resource="configmaps") >= 1


def test_storage_objects_match_the_store(engine, ns):
    for i in range(3):
        engine.k("create", "configmap", f"counted-{i}", "-n", ns)

    def stored() -> int:
        return len(engine.kjson("get", "configmaps", "-A")["items"])

    # Controllers may add configmaps (kube-root-ca.crt) meanwhile: compare like with like.
    def matches(s: Scrape) -> bool:
        return s.value("apiserver_storage_objects", resource="configmaps") == stored()

    s = poll(engine, matches, "apiserver_storage_objects{resource=configmaps} = kubectl's count")
    assert s.value("apiserver_storage_objects", resource="configmaps") >= 3
    assert s.value("apiserver_storage_objects", resource="namespaces") == \
        len(engine.kjson("get", "namespaces")["items"])
    engine.k("create", "deployment", "web", "-n", ns, "--image=nginx:1.25")
    poll(engine, lambda s: s.value("apiserver_storage_objects", resource="deployments.apps") == 1,
         "apiserver_storage_objects{resource=deployments.apps} = 1")


def test_store_commit_histogram_grows_with_writes(engine, ns):
    before = scrape(engine)
    for i in range(4):
        engine.k("create", "configmap", f"write-{i}", "-n", ns)
    after = scrape(engine)
    count = "pilothouse_store_commit_duration_seconds_count"
    assert after.types.get("pilothouse_store_commit_duration_seconds") == "histogram"
    assert after.value(count) >= before.value(count) + 4
    assert after.value("pilothouse_store_commit_duration_seconds_sum") > \
        before.value("pilothouse_store_commit_duration_seconds_sum")
    assert after.value("pilothouse_store_writes_total") >= \
        before.value("pilothouse_store_writes_total") + 4
    assert after.value("pilothouse_store_commits_total") > \
        before.value("pilothouse_store_commits_total")
    # One batch-size observation per commit; the sizes add up to the writes.
    assert after.value("pilothouse_store_batch_size_count") > \
        before.value("pilothouse_store_batch_size_count")
    assert after.value("pilothouse_store_batch_size_sum") >= \
        before.value("pilothouse_store_batch_size_sum") + 4


def test_process_metrics(engine):
    s = scrape(engine)
    assert s.types.get("process_resident_memory_bytes") == "gauge"
    assert s.value("process_resident_memory_bytes") > 1 << 20
    assert s.types.get("process_cpu_seconds_total") == "counter"
    started = s.value("process_start_time_seconds")
    assert time.time() - 3600 < started <= time.time() + 1
    assert s.value("process_open_fds") > 2


def test_heap_metrics(engine):
    """The engine's heap as its allocator counts it: which allocator the build linked
    (cmake/PilotAllocator.cmake), the bytes in live allocations and what the heap holds."""
    s = scrape(engine)
    infos = [labels for name, labels, value in s.samples
             if name == "pilothouse_memory_allocator_info" and value == 1]
    assert len(infos) == 1, s.text
    expected = os.environ.get("PILOT_EXPECTED_ALLOCATOR", "")
    if expected:
        assert infos[0]["allocator"] == ("glibc" if expected == "system" else expected)
    assert infos[0]["version"]
    allocated = s.value("pilothouse_memory_heap_allocated_bytes")
    held = s.value("pilothouse_memory_heap_resident_bytes")
    # The watch caches, the store's page cache and the TLS contexts live on the heap.
    assert 1 << 20 < allocated <= held
    assert s.types.get("pilothouse_memory_heap_allocated_bytes") == "gauge"
