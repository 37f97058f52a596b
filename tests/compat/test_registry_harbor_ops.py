"""Registry acceptance item 4 (quotas, retention, audit logs of pushes, pulls and every delete,
garbage collection, stopping GC runs and retention executions) and item 6's GC rule, against a
real engine through Harbor's /api/v2.0 and the unmodified skopeo 1.9, over HTTPS verified
against the engine CA. The engine runs with a GC time window of a few seconds
(PILOT_REGISTRY_GC_TIME_WINDOW) so that "uploaded before the window" can be reached quickly;
"inside the window" is then a blob uploaded just before the run."""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "support" / "images"))

import ocilayout  # noqa: E402
from pilot_engine import Engine  # noqa: E402
from registryclient import RegistryClient, digest_of, relative, with_query  # noqa: E402
from skopeo import Skopeo  # noqa: E402

GC_WINDOW_SECONDS = 4
API = "/api/v2.0"


@pytest.fixture(scope="module")
def engine(engine_binary, tmp_path_factory):
    saved = os.environ.get("PILOT_REGISTRY_GC_TIME_WINDOW")
    os.environ["PILOT_REGISTRY_GC_TIME_WINDOW"] = str(GC_WINDOW_SECONDS)
    try:
        e = Engine(engine_binary, tmp_path_factory.mktemp("engine") / "data").start()
    finally:
        if saved is None:
            os.environ.pop("PILOT_REGISTRY_GC_TIME_WINDOW", None)
        else:
            os.environ["PILOT_REGISTRY_GC_TIME_WINDOW"] = saved
    yield e
    if e.alive():
        assert e.stop() == 0, e.tail_log()


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("harborops")


@pytest.fixture(scope="module")
def admin(engine) -> RegistryClient:
    return RegistryClient(engine.registry, engine.ca_file, engine.registry_admin())


@pytest.fixture(scope="module")
def skopeo(engine, work) -> Skopeo:
    return Skopeo(engine, work)


def layout_of(work: Path, name: str, size: int, seed: int) -> ocilayout.LayoutInfo:
    """A small image with one pseudo-random layer of `size` bytes (distinct per seed)."""
    image = ocilayout.Image([ocilayout.random_layer(size, seed)], ocilayout.ImageConfig())
    return ocilayout.write_layout(work / name, "v1", image)


def image_bytes(layout: ocilayout.LayoutInfo) -> int:
    """Manifest + config + layers, as the quota counts an image."""
    blobs = layout.path / "blobs" / "sha256"
    digests = [layout.manifest_digest, layout.config_digest, *layout.layer_digests]
    return sum((blobs / d.split(":")[1]).stat().st_size for d in digests)


def project_id(admin: RegistryClient, name: str) -> int:
    response = admin.get(f"{API}/projects/{name}", headers={"X-Is-Resource-Name": "true"})
    assert response.status_code == 200, response.text
    return response.json()["project_id"]


def quota_of(admin: RegistryClient, name: str) -> dict:
    response = admin.get(f"{API}/quotas", params={"reference": "project",
                                                  "reference_id": project_id(admin, name)})
    assert response.status_code == 200, response.text
    quotas = response.json()
    assert len(quotas) == 1 and quotas[0]["ref"]["name"] == name, quotas
    return quotas[0]


def wait_until(what: str, check, timeout: float = 30.0, interval: float = 0.1):
    """Polls `check` until it returns something truthy (a condition, with a deadline)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(interval)


# -- quotas ---------------------------------------------------------------------------------

def test_push_over_the_storage_quota_is_refused_and_usage_is_reported(admin, skopeo, work):
    admin.ensure_project("quota")
    first = layout_of(work, "quota-a", 64 * 1024, 1)
    skopeo.push(first, "quota/app:v1")
    quota = quota_of(admin, "quota")
    assert quota["hard"]["storage"] == -1
    assert quota["used"]["storage"] == image_bytes(first)

    limit = image_bytes(first) + 1000
    put = admin.put(f"{API}/quotas/{quota['id']}", json={"hard": {"storage": limit}})
    assert put.status_code == 200, put.text
    second = layout_of(work, "quota-b", 64 * 1024, 2)
    refused = skopeo.push(second, "quota/app:v2", check=False)
    assert refused.returncode != 0
    assert "Quota exceeded" in refused.stderr, refused.stderr
    assert "will exceed the configured upper limit" in refused.stderr
    after = quota_of(admin, "quota")
    assert after["used"]["storage"] == image_bytes(first), "the refused layer is not kept"
    assert after["hard"]["storage"] == limit
    assert skopeo.tags("quota/app") == ["v1"]

    # The same image again adds nothing (its blobs are already in the project).
    skopeo.push(first, "quota/app:again")
    assert quota_of(admin, "quota")["used"]["storage"] == image_bytes(first)

    assert admin.put(f"{API}/quotas/{quota['id']}",
                     json={"hard": {"storage": -1}}).status_code == 200
    skopeo.push(second, "quota/app:v2")
    assert quota_of(admin, "quota")["used"]["storage"] == image_bytes(first) + image_bytes(second)


def test_storage_limit_of_a_new_project_is_its_quota(admin, skopeo, work):
    created = admin.post(f"{API}/projects", json={"project_name": "limited",
                                                  "storage_limit": 2048})
    assert created.status_code == 201, created.text
    quota = quota_of(admin, "limited")
    assert quota["hard"]["storage"] == 2048
    refused = skopeo.push(layout_of(work, "limited", 16 * 1024, 3), "limited/app:v1", check=False)
    assert refused.returncode != 0 and "Quota exceeded" in refused.stderr, refused.stderr
    bad = admin.put(f"{API}/quotas/{quota['id']}", json={"hard": {"storage": 0}})
    assert bad.status_code == 400


# -- retention ------------------------------------------------------------------------------

def keep_latest_policy(project: int, repositories: str) -> dict:
    """A retention policy keeping the latest pushed artifact of each repository matching
    `repositories` (doublestar) in project `project`; it runs only when asked."""
    return {
        "algorithm": "or",
        "rules": [{"action": "retain", "template": "latestPushedK", "params": {"latestPushedK": 1},
                   "tag_selectors": [{"kind": "doublestar", "decoration": "matches",
                                      "pattern": "**"}],
                   "scope_selectors": {"repository": [{"kind": "doublestar",
                                                       "decoration": "repoMatches",
                                                       "pattern": repositories}]}}],
        "trigger": {"kind": "Schedule", "settings": {"cron": ""}},
        "scope": {"level": "project", "ref": project},
    }


def create_policy(admin: RegistryClient, policy: dict) -> int:
    created = admin.post(f"{API}/retentions", json=policy)
    assert created.status_code == 201, created.text
    return int(created.headers["Location"].rsplit("/", 1)[1])


def wait_execution(admin: RegistryClient, policy: int, execution: int) -> dict:
    def done():
        listed = admin.get(f"{API}/retentions/{policy}/executions").json()
        found = [e for e in listed if e["id"] == execution]
        return found[0] if found and found[0]["status"] != "Running" else None
    return wait_until(f"retention execution {execution}", done)


def test_retention_dry_run_lists_candidates_and_run_deletes_them(admin, skopeo, work):
    admin.ensure_project("ret")
    layouts = {}
    for i, tag in enumerate(["v1", "v2", "v3"]):
        layouts[tag] = layout_of(work, f"ret-{tag}", 4096, 10 + i)
        skopeo.push(layouts[tag], f"ret/app:{tag}")
    skopeo.push(layouts["v1"], "ret/other:v1")
    pid = project_id(admin, "ret")
    policy_id = create_policy(admin, keep_latest_policy(pid, "app"))
    stored = admin.get(f"{API}/retentions/{policy_id}").json()
    assert stored["rules"][0]["template"] == "latestPushedK"
    assert stored["scope"] == {"level": "project", "ref": pid}

    dry = admin.post(f"{API}/retentions/{policy_id}/executions", json={"dry_run": True})
    assert dry.status_code == 201, dry.text
    dry_id = int(dry.headers["Location"].rsplit("/", 1)[1])
    execution = wait_execution(admin, policy_id, dry_id)
    assert execution["status"] == "Success" and execution["dry_run"] is True
    tasks = admin.get(f"{API}/retentions/{policy_id}/executions/{dry_id}/tasks")
    assert tasks.status_code == 200 and tasks.headers["X-Total-Count"] == "1"
    task = tasks.json()[0]
    assert task["repository"] == "ret/app" and task["total"] == 3 and task["retained"] == 1
    log = admin.get(f"{API}/retentions/{policy_id}/executions/{dry_id}/tasks/{task['id']}")
    assert log.status_code == 200
    for tag, verdict in (("v1", "DEL"), ("v2", "DEL"), ("v3", "RETAIN")):
        line = next(l for l in log.text.splitlines() if layouts[tag].manifest_digest in l)
        assert line.rstrip().endswith(verdict), line
    assert skopeo.tags("ret/app") == ["v1", "v2", "v3"], "a dry run deletes nothing"

    run = admin.post(f"{API}/retentions/{policy_id}/executions", json={"dry_run": False})
    assert run.status_code == 201
    run_id = int(run.headers["Location"].rsplit("/", 1)[1])
    assert wait_execution(admin, policy_id, run_id)["status"] == "Success"
    assert skopeo.tags("ret/app") == ["v3"]
    assert skopeo.tags("ret/other") == ["v1"], "not in the policy's scope"
    listed = admin.get(f"{API}/retentions/{policy_id}/executions")
    assert listed.headers["X-Total-Count"] == "2"
    assert [e["id"] for e in listed.json()] == [run_id, dry_id]


# -- audit logs -----------------------------------------------------------------------------

def test_audit_logs_show_pushes_pulls_and_deletes(admin, skopeo, work, engine):
    admin.ensure_project("aud")
    layout = layout_of(work, "aud", 4096, 20)
    skopeo.push(layout, "aud/app:1.0")
    skopeo.pull("aud/app:1.0", work / "aud-pulled")
    skopeo.delete("aud/app:1.0")

    logs = admin.get(f"{API}/audit-logs", params={"q": "resource=~aud/app", "page_size": 100})
    assert logs.status_code == 200, logs.text
    entries = logs.json()
    operations = [(e["operation"], e["resource"]) for e in entries]
    user = engine.registry_admin()[0]
    assert ("create", "aud/app:1.0") in operations, operations
    assert ("pull", "aud/app:1.0") in operations, operations
    assert ("delete", f"aud/app:{layout.manifest_digest}") in operations, operations
    assert all(e["username"] == user and e["resource_type"] == "artifact" for e in entries)
    assert entries == sorted(entries, key=lambda e: (e["op_time"], e["id"]), reverse=True)

    pulls = admin.get(f"{API}/projects/aud/logs", params={"q": "operation=pull"})
    assert pulls.status_code == 200
    # skopeo delete reads the manifest to resolve the tag: that GET is a pull too, as in Harbor.
    assert pulls.json() and {e["operation"] for e in pulls.json()} == {"pull"}

    now = time.gmtime()
    window = "op_time=[{}~{}]".format(time.strftime("%Y-%m-%d 00:00:00", now),
                                      time.strftime("%Y-%m-%d 23:59:59", now))
    paged = admin.get(f"{API}/projects/aud/logs",
                      params={"q": window, "page": 1, "page_size": 1})
    assert paged.status_code == 200
    # The project's log also has its own creation.
    assert int(paged.headers["X-Total-Count"]) == len(entries) + 1
    created = admin.get(f"{API}/projects/aud/logs", params={"q": "resource_type=project"}).json()
    assert [(e["operation"], e["resource"], e["username"]) for e in created] == \
        [("create", "aud", user)]
    assert len(paged.json()) == 1 and 'rel="next"' in paged.headers["Link"]
    empty = admin.get(f"{API}/projects/aud/logs", params={"q": "op_time=[2001-01-01 00:00:00~"
                                                                "2001-01-02 00:00:00]"})
    assert empty.json() == [] and empty.headers["X-Total-Count"] == "0"
    anonymous = RegistryClient(engine.registry, engine.ca_file, None)
    assert anonymous.get(f"{API}/audit-logs").status_code == 401


def test_every_delete_is_audited_with_its_operator(admin, skopeo, work, engine):
    """Deletes through /api/v2.0 (tag, artifact, repository), through /v2/ (skopeo delete) and
    by a tag retention run all appear in the audit log as Harbor records them: artifacts by
    digest, the repository after its artifacts, retention's under Harbor's job service."""
    admin.ensure_project("del")
    user = engine.registry_admin()[0]
    images = {}
    for i, name in enumerate(["app:v1", "app:v2", "web:w1", "keep:k1", "old:o1", "old:o2",
                              "old:o3"]):
        images[name] = layout_of(work, "del-" + name.replace(":", "-"), 2048, 40 + i)
        skopeo.push(images[name], f"del/{name}")
    digest = {name: layout.manifest_digest for name, layout in images.items()}
    base = f"{API}/projects/del/repositories"

    assert admin.post(f"{base}/app/artifacts/v1/tags", json={"name": "stable"}).status_code == 201
    assert admin.delete(f"{base}/app/artifacts/v1/tags/stable").status_code == 200
    assert admin.delete(f"{base}/app/artifacts/v2").status_code == 200
    skopeo.delete("del/web:w1")
    assert admin.delete(f"{base}/keep").status_code == 200
    assert admin.delete(f"{base}/keep").status_code == 404, "gone: nothing more to log"

    policy_id = create_policy(admin, keep_latest_policy(project_id(admin, "del"), "old"))
    run = admin.post(f"{API}/retentions/{policy_id}/executions", json={"dry_run": False})
    run_id = int(run.headers["Location"].rsplit("/", 1)[1])
    assert wait_execution(admin, policy_id, run_id)["status"] == "Success"
    assert skopeo.tags("del/old") == ["o3"]

    deletes = admin.get(f"{API}/projects/del/logs",
                        params={"q": "operation=delete", "page_size": 100})
    assert deletes.status_code == 200, deletes.text
    logged = sorted((e["resource_type"], e["resource"], e["username"]) for e in deletes.json())
    assert logged == sorted([
        ("tag", "del/app:stable", user),
        ("artifact", f"del/app:{digest['app:v2']}", user),
        ("artifact", f"del/web:{digest['web:w1']}", user),
        ("artifact", f"del/keep:{digest['keep:k1']}", user),
        ("repository", "del/keep", user),
        ("artifact", f"del/old:{digest['old:o1']}", "harbor-jobservice"),
        ("artifact", f"del/old:{digest['old:o2']}", "harbor-jobservice"),
    ]), logged
    # The repository's entry follows its artifacts' (newest first: the higher id).
    keep = {e["resource_type"]: e["id"] for e in deletes.json()
            if e["resource"].startswith("del/keep")}
    assert keep["repository"] > keep["artifact"]

    tag_created = admin.get(f"{API}/audit-logs",
                            params={"q": "resource_type=tag,operation=create,resource=~del/"})
    assert [(e["resource"], e["username"]) for e in tag_created.json()] == \
        [("del/app:stable", user)]
    by_retention = admin.get(f"{API}/audit-logs",
                             params={"q": "username=harbor-jobservice,resource=~del/"})
    assert by_retention.headers["X-Total-Count"] == "2"
    assert {e["resource"] for e in by_retention.json()} == \
        {f"del/old:{digest['old:o1']}", f"del/old:{digest['old:o2']}"}


# -- garbage collection ---------------------------------------------------------------------

def run_gc(admin: RegistryClient, dry_run: bool) -> tuple[dict, str]:
    started = admin.post(f"{API}/system/gc/schedule",
                         json={"schedule": {"type": "Manual"},
                               "parameters": {"dry_run": dry_run, "delete_untagged": False}})
    assert started.status_code == 201, started.text
    gc_id = int(started.headers["Location"].rsplit("/", 1)[1])

    job = wait_gc(admin, gc_id)
    log = admin.get(f"{API}/system/gc/{gc_id}/log")
    assert log.status_code == 200
    return job, log.text


def wait_gc(admin: RegistryClient, gc_id: int) -> dict:
    def finished():
        job = admin.get(f"{API}/system/gc/{gc_id}").json()
        return job if job["job_status"] in ("Success", "Error", "Stopped") else None
    return wait_until(f"gc {gc_id}", finished)


def test_gc_frees_an_unreferenced_blob_online_and_keeps_recent_uploads(admin, skopeo, work):
    admin.ensure_project("gc")
    kept = layout_of(work, "gc-kept", 8192, 30)
    skopeo.push(kept, "gc/app:v1")
    orphan = os.urandom(50_000)
    orphan_digest = admin.upload_blob("gc/app", orphan)

    # Until the orphan is older than the window, a dry run leaves it out.
    def orphan_eligible():
        job, log = run_gc(admin, dry_run=True)
        assert job["job_status"] == "Success", log
        return orphan_digest in log
    wait_until("the orphan to leave the GC time window", orphan_eligible,
               timeout=GC_WINDOW_SECONDS + 20, interval=0.5)

    # A push is under way: its layer is uploaded, its manifest not yet.
    pending = os.urandom(40_000)
    pending_digest = admin.upload_blob("gc/app", pending)
    # And another push runs in parallel with the collection.
    concurrent = layout_of(work, "gc-concurrent", 256 * 1024, 31)
    pushed: dict = {}
    pusher = threading.Thread(target=lambda: pushed.setdefault(
        "result", skopeo.push(concurrent, "gc/busy:v1", check=False)))
    pusher.start()
    job, log = run_gc(admin, dry_run=False)
    pusher.join(120)
    assert job["job_status"] == "Success", log
    assert job["job_kind"] == "MANUAL"
    assert json.loads(job["job_parameters"])["dry_run"] is False
    assert orphan_digest in log and "frees up" in log
    assert pending_digest not in log, "uploaded inside the window"

    assert admin.head(f"/v2/gc/app/blobs/{orphan_digest}").status_code == 404
    assert admin.head(f"/v2/gc/app/blobs/{pending_digest}").status_code == 200
    for digest in [kept.config_digest, *kept.layer_digests]:
        assert admin.head(f"/v2/gc/app/blobs/{digest}").status_code == 200, "referenced"
    assert pushed["result"].returncode == 0, pushed["result"].stderr
    skopeo.pull("gc/busy:v1", work / "gc-busy-pulled")

    # The interrupted push finishes: its layer is still there.
    config = b'{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}'
    config_digest = admin.upload_blob("gc/app", config)
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": config_digest, "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                    "digest": pending_digest, "size": len(pending)}]}).encode()
    assert admin.put_manifest("gc/app", "late", manifest).status_code == 201
    assert admin.get(f"/v2/gc/app/blobs/{pending_digest}").content == pending

    history = admin.get(f"{API}/system/gc", params={"page_size": 100})
    assert history.status_code == 200
    assert int(history.headers["X-Total-Count"]) >= 2
    assert history.json()[0]["id"] == job["id"], "newest first"


def test_gc_schedule_is_kept(admin):
    assert admin.get(f"{API}/system/gc/schedule").json()["schedule"]["type"] == "None"
    put = admin.put(f"{API}/system/gc/schedule",
                    json={"schedule": {"type": "Daily"},
                          "parameters": {"delete_untagged": True, "dry_run": False}})
    assert put.status_code == 200, put.text
    schedule = admin.get(f"{API}/system/gc/schedule").json()
    assert schedule["schedule"]["type"] == "Daily"
    assert schedule["schedule"]["cron"] == "0 0 0 * * *"
    assert schedule["schedule"]["next_scheduled_time"].endswith("T00:00:00.000Z")
    assert json.loads(schedule["job_parameters"])["delete_untagged"] is True
    bad = admin.put(f"{API}/system/gc/schedule",
                    json={"schedule": {"type": "Custom", "cron": "not a cron"}})
    assert bad.status_code == 400
    assert admin.put(f"{API}/system/gc/schedule",
                     json={"schedule": {"type": "None"}}).status_code == 200


# -- stopping jobs --------------------------------------------------------------------------

BUSY_REPOSITORIES = 30


def push_small_image(admin: RegistryClient, repository: str, tag: str, seed: str) -> str:
    """A config-only image pushed over HTTP (faster than skopeo for many repositories)."""
    config = json.dumps({"architecture": "amd64", "os": "linux", "seed": seed,
                         "rootfs": {"type": "layers", "diff_ids": []}}).encode()
    config_digest = admin.upload_blob(repository, config)
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": config_digest, "size": len(config)},
        "layers": []}).encode()
    assert admin.put_manifest(repository, tag, manifest).status_code == 201
    return digest_of(manifest)


@pytest.fixture(scope="module")
def busy_policy(admin) -> int:
    """A retention policy over project `halt`, whose many repositories keep an execution on the
    registry's one job thread for a while (a task is written per repository); halt/app holds
    v1 and v2, the rest one artifact each."""
    admin.ensure_project("halt")
    push_small_image(admin, "halt/app", "v1", "app-1")
    push_small_image(admin, "halt/app", "v2", "app-2")
    for i in range(BUSY_REPOSITORIES):
        push_small_image(admin, f"halt/r{i:02d}", "v1", f"r{i}")
    return create_policy(admin, keep_latest_policy(project_id(admin, "halt"), "**"))


def start_retention(admin: RegistryClient, policy_id: int, dry_run: bool = True) -> int:
    run = admin.post(f"{API}/retentions/{policy_id}/executions", json={"dry_run": dry_run})
    assert run.status_code == 201, run.text
    return int(run.headers["Location"].rsplit("/", 1)[1])


def caught_in_flight(start_and_stop, attempts: int = 10):
    """Starts a job and stops it at once, until a stop lands before the job ends (a job may
    still finish first on a loaded machine: then it keeps its Success). The stopped one's
    (id, final state)."""
    for _ in range(attempts):
        job_id, final = start_and_stop()
        assert final["status"] in ("Stopped", "Success"), final
        if final["status"] == "Stopped":
            return job_id, final
    raise AssertionError(f"no stop landed before its job finished in {attempts} attempts")


def test_stopping_a_retention_execution(admin, busy_policy, engine):
    executions = f"{API}/retentions/{busy_policy}/executions"
    stop = {"action": "stop"}
    done = start_retention(admin, busy_policy)
    assert wait_execution(admin, busy_policy, done)["status"] == "Success"
    assert admin.patch(f"{executions}/{done}", json={"action": "pause"}).status_code == 400
    assert admin.patch(f"{executions}/{done + 1000}", json=stop).status_code == 404
    anonymous = RegistryClient(engine.registry, engine.ca_file, None)
    assert anonymous.patch(f"{executions}/{done}", json=stop).status_code == 401
    assert admin.patch(f"{executions}/{done}", json=stop).status_code == 200
    assert wait_execution(admin, busy_policy, done)["status"] == "Success", \
        "stopping a finished execution changes nothing"
    assert admin.get(f"{executions}/{done}/tasks").headers["X-Total-Count"] == \
        str(BUSY_REPOSITORIES + 1)

    def start_and_stop():
        execution = start_retention(admin, busy_policy)
        stopped = admin.patch(f"{executions}/{execution}", json=stop)
        assert stopped.status_code == 200, stopped.text
        return execution, wait_execution(admin, busy_policy, execution)
    execution, final = caught_in_flight(start_and_stop)
    assert final["end_time"], final
    tasks = admin.get(f"{executions}/{execution}/tasks", params={"page_size": 100})
    assert int(tasks.headers["X-Total-Count"]) < BUSY_REPOSITORIES + 1, \
        "the repositories after the stop are never started"
    # A stopped execution does not block the next, which deletes as usual.
    real = start_retention(admin, busy_policy, dry_run=False)
    assert wait_execution(admin, busy_policy, real)["status"] == "Success"
    assert admin.get("/v2/halt/app/tags/list").json()["tags"] == ["v2"]


def test_stopping_a_gc_run(admin, busy_policy, engine):
    anonymous = RegistryClient(engine.registry, engine.ca_file, None)
    done, _ = run_gc(admin, dry_run=True)
    assert done["job_status"] == "Success"
    assert anonymous.put(f"{API}/system/gc/{done['id']}").status_code == 401
    assert admin.put(f"{API}/system/gc/{done['id'] + 1000}").status_code == 404
    assert admin.put(f"{API}/system/gc/{done['id']}").status_code == 200
    assert admin.get(f"{API}/system/gc/{done['id']}").json()["job_status"] == "Success", \
        "stopping a finished run changes nothing"

    def start_and_stop():
        # Queued behind a retention execution on the one job thread, the run is Pending.
        execution = start_retention(admin, busy_policy)
        started = admin.post(f"{API}/system/gc/schedule",
                             json={"schedule": {"type": "Manual"},
                                   "parameters": {"dry_run": True, "delete_untagged": True}})
        assert started.status_code == 201, started.text
        gc_id = int(started.headers["Location"].rsplit("/", 1)[1])
        stop = admin.put(f"{API}/system/gc/{gc_id}")
        assert stop.status_code == 200, stop.text
        wait_execution(admin, busy_policy, execution)
        return gc_id, {"status": wait_gc(admin, gc_id)["job_status"]}
    gc_id, _ = caught_in_flight(start_and_stop)
    log = admin.get(f"{API}/system/gc/{gc_id}/log").text
    assert "received the stop signal" in log, log
    assert "success to run gc" not in log, log
    listed = admin.get(f"{API}/system/gc", params={"page_size": 100}).json()
    assert next(j for j in listed if j["id"] == gc_id)["job_status"] == "Stopped"
    # A stopped run does not hold up the next one.
    after, _ = run_gc(admin, dry_run=True)
    assert after["job_status"] == "Success"
