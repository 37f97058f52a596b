"""acceptance/engine-api.md items 1-13 with the unmodified kubectl 1.32 against a fresh engine."""

import json
import re
import subprocess

import pytest

from pilot_engine import LineReader

pytestmark = pytest.mark.usefixtures("engine")


def table(text: str) -> list[dict]:
    """Parses kubectl's column output into dicts keyed by header (columns split on 2+ spaces)."""
    lines = [l for l in text.splitlines() if l.strip()]
    header = lines[0]
    starts = [m.start() for m in re.finditer(r"(?:(?<=\s\s)|^)\S", header)]
    names = [header[s:e].strip() for s, e in zip(starts, starts[1:] + [None])]
    rows = []
    for line in lines[1:]:
        cells = [line[s:e].strip() if s < len(line) else "" for s, e in
                 zip(starts, starts[1:] + [None])]
        rows.append(dict(zip(names, cells)))
    return rows


def ensure_ns(engine, name: str) -> None:
    if engine.k("get", "ns", name, check=False).returncode != 0:
        engine.k("create", "namespace", name)


# -- 1 ---------------------------------------------------------------------------------------
def test_01_version_and_api_resources(engine):
    version = json.loads(engine.k("version", "-o", "json").stdout)
    assert version["serverVersion"]["major"] == "1"
    assert version["serverVersion"]["minor"] == "32"
    assert version["serverVersion"]["gitVersion"].startswith("v1.32.")

    rows = table(engine.k("api-resources").stdout)
    by_name = {}
    for r in rows:
        by_name.setdefault(r["NAME"], r)
    expected_short = {
        "pods": "po", "services": "svc", "endpoints": "ep", "configmaps": "cm", "secrets": "",
        "namespaces": "ns", "nodes": "no", "events": "ev", "persistentvolumes": "pv",
        "persistentvolumeclaims": "pvc", "serviceaccounts": "sa", "resourcequotas": "quota",
        "limitranges": "limits", "replicationcontrollers": "rc", "deployments": "deploy",
        "replicasets": "rs", "statefulsets": "sts", "daemonsets": "ds",
        "controllerrevisions": "", "jobs": "", "cronjobs": "cj",
        "horizontalpodautoscalers": "hpa", "ingresses": "ing", "ingressclasses": "",
        "networkpolicies": "netpol", "storageclasses": "sc", "roles": "", "rolebindings": "",
        "clusterroles": "", "clusterrolebindings": "", "leases": "", "priorityclasses": "pc",
        "customresourcedefinitions": "crd,crds",
    }
    for name, short in expected_short.items():
        assert name in by_name, f"api-resources lacks {name}"
        assert by_name[name]["SHORTNAMES"] == short, (name, by_name[name])
    assert by_name["pods"]["NAMESPACED"] == "true"
    assert by_name["nodes"]["NAMESPACED"] == "false"
    assert by_name["deployments"]["APIVERSION"] == "apps/v1"
    assert by_name["cronjobs"]["KIND"] == "CronJob"
    # kubectl resolves the short names through discovery
    engine.k("get", "deploy,rs,sts,ds,cj,hpa,ing,pvc,cm,sa,po,svc", "-A")


def test_01b_whoami_and_metrics_discovery(engine):
    # SelfSubjectReview: who the admin kubeconfig authenticates as.
    whoami = table(engine.k("auth", "whoami").stdout)
    values = {r["ATTRIBUTE"]: r["VALUE"] for r in whoami}
    assert values["Username"] == "pilothouse-admin"
    assert "system:masters" in values["Groups"] and "system:authenticated" in values["Groups"]
    # The resource metrics API is discovered like metrics-server's; with no agent reporting,
    # kubectl top says so instead of failing on discovery.
    rows = [r for r in table(engine.k("api-resources", "--api-group=metrics.k8s.io").stdout)]
    assert {(r["NAME"], r["KIND"]) for r in rows} == {("nodes", "NodeMetrics"),
                                                     ("pods", "PodMetrics")}
    top = engine.k("top", "nodes", check=False)
    assert top.returncode != 0 and "metrics not available yet" in top.stderr, top


# -- 2 ---------------------------------------------------------------------------------------
def test_02_namespace(engine):
    assert "namespace/demo created" in engine.k("create", "namespace", "demo").stdout
    rows = {r["NAME"]: r for r in table(engine.k("get", "ns").stdout)}
    assert rows["demo"]["STATUS"] == "Active"
    for builtin in ("default", "kube-system", "kube-public", "kube-node-lease"):
        assert rows[builtin]["STATUS"] == "Active"
    ns = engine.kjson("get", "ns", "demo")
    meta = ns["metadata"]
    assert re.fullmatch(r"[0-9a-f-]{36}", meta["uid"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", meta["creationTimestamp"])
    assert int(meta["resourceVersion"]) > 0
    assert ns["spec"]["finalizers"] == ["kubernetes"]
    assert ns["status"]["phase"] == "Active"
    assert "uid: " in engine.k("get", "ns", "demo", "-o", "yaml").stdout


# -- 3 ---------------------------------------------------------------------------------------
def test_03_apply_three_way(engine, manifest, tmp_path):
    ensure_ns(engine, "demo")
    web = manifest("web.yaml")
    out = engine.k("apply", "-f", "-", input=web).stdout
    for obj in ("configmap/web-content", "secret/web-credentials", "deployment.apps/web",
                "service/web"):
        assert f"{obj} created" in out, out

    out = engine.k("apply", "-f", "-", input=web).stdout
    for obj in ("configmap/web-content", "deployment.apps/web", "service/web"):
        assert f"{obj} unchanged" in out, out
    # As upstream: a Secret written with stringData is always re-sent (kubernetes#87736).
    assert "secret/web-credentials configured" in out, out

    # Another writer sets fields the manifest does not mention; apply must keep them.
    engine.k("annotate", "deploy", "web", "-n", "demo", "team=payments")
    engine.k("patch", "deploy", "web", "-n", "demo", "--type=strategic", "-p",
             '{"spec":{"template":{"spec":{"terminationGracePeriodSeconds":7}}}}')

    edited = web.replace("image: busybox:1.36", "image: busybox:1.37")
    out = engine.k("apply", "-f", "-", input=edited).stdout
    assert "deployment.apps/web configured" in out, out
    assert "configmap/web-content unchanged" in out, out
    d = engine.kjson("get", "deploy", "web", "-n", "demo")
    assert d["spec"]["template"]["spec"]["containers"][0]["image"] == "busybox:1.37"
    assert d["metadata"]["annotations"]["team"] == "payments"
    assert d["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] == 7
    assert d["metadata"]["generation"] >= 3
    last = json.loads(d["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"])
    assert last["spec"]["template"]["spec"]["containers"][0]["image"] == "busybox:1.37"
    # Defaults are filled in as upstream does.
    assert d["spec"]["progressDeadlineSeconds"] == 600
    assert d["spec"]["template"]["spec"]["containers"][0]["terminationMessagePath"] == \
        "/dev/termination-log"

    # Removing a field from the manifest removes it from the live object (three-way delete).
    trimmed = edited.replace("    kubernetes.io/change-cause: \"first release\"\n", "") \
        .replace("  annotations:\n  replicas", "  replicas")
    assert "change-cause" not in trimmed
    engine.k("apply", "-f", "-", input=trimmed)
    d = engine.kjson("get", "deploy", "web", "-n", "demo")
    assert "kubernetes.io/change-cause" not in d["metadata"].get("annotations", {})
    assert d["metadata"]["annotations"]["team"] == "payments"


# -- 4 ---------------------------------------------------------------------------------------
def test_04_server_side_apply_and_diff(engine, manifest):
    ensure_ns(engine, "ssa")
    web = manifest("web.yaml").replace("namespace: demo", "namespace: ssa")
    out = engine.k("apply", "--server-side", "-f", "-", input=web).stdout
    assert "deployment.apps/web serverside-applied" in out, out
    d = engine.kjson("get", "deploy", "web", "-n", "ssa", "--show-managed-fields")
    managers = {m["manager"]: m for m in d["metadata"]["managedFields"]}
    assert managers["kubectl"]["operation"] == "Apply"
    assert managers["kubectl"]["fieldsType"] == "FieldsV1"
    assert "f:spec" in managers["kubectl"]["fieldsV1"]
    out = engine.k("apply", "--server-side", "-f", "-", input=web).stdout
    assert "deployment.apps/web serverside-applied" in out

    before = engine.kjson("get", "deploy", "web", "-n", "ssa")
    changed = web.replace("replicas: 3", "replicas: 4")
    res = engine.k("diff", "-f", "-", input=changed, check=False)
    assert res.returncode == 1, res.stderr  # 1 = differences found
    assert "-  replicas: 3" in res.stdout and "+  replicas: 4" in res.stdout, res.stdout
    after = engine.kjson("get", "deploy", "web", "-n", "ssa")
    assert after["spec"]["replicas"] == 3
    assert after["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]
    res = engine.k("diff", "-f", "-", input=web, check=False)
    assert res.returncode == 0, res.stdout + res.stderr


# -- 5 ---------------------------------------------------------------------------------------
def test_05_get_output_formats(engine, manifest):
    ensure_ns(engine, "demo")
    engine.k("apply", "-f", "-", input=manifest("web.yaml"))
    out = engine.k("get", "deploy,svc,cm,secret", "-n", "demo").stdout
    assert re.search(r"^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$", out, re.M), out
    assert re.search(r"^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$", out, re.M)
    assert re.search(r"^NAME\s+DATA\s+AGE$", out, re.M)
    assert re.search(r"^NAME\s+TYPE\s+DATA\s+AGE$", out, re.M)
    # No node runs the pods, so none is ready; the controller may have rolled out already.
    assert re.search(r"^deployment.apps/web\s+0/3\s+\d\s+0\s+\d+[smh]", out, re.M), out
    svc = re.search(r"^service/web\s+ClusterIP\s+(\S+)\s+<none>\s+80/TCP\s+", out, re.M)
    assert svc, out
    assert re.fullmatch(r"10\.\d+\.\d+\.\d+", svc.group(1)), svc.group(1)
    assert re.search(r"^secret/web-credentials\s+Opaque\s+1\s+", out, re.M), out
    assert re.search(r"^configmap/web-content\s+1\s+", out, re.M), out

    wide = engine.k("get", "deploy", "web", "-n", "demo", "-o", "wide").stdout
    assert re.search(r"CONTAINERS\s+IMAGES\s+SELECTOR", wide)
    assert re.search(r"\bweb\s+busybox:1\.3\d\s+app=web", wide), wide
    svc_wide = engine.k("get", "svc", "web", "-n", "demo", "-o", "wide").stdout
    assert re.search(r"SELECTOR\n.*app=web", svc_wide), svc_wide

    assert engine.kjson("get", "cm", "web-content", "-n", "demo")["kind"] == "ConfigMap"
    listing = engine.kjson("get", "cm", "-n", "demo")
    assert listing["kind"] == "List" and listing["items"][0]["kind"] == "ConfigMap"
    assert "kind: Service" in engine.k("get", "svc", "web", "-n", "demo", "-o", "yaml").stdout
    jp = engine.k("get", "deploy", "web", "-n", "demo", "-o",
                  "jsonpath={.spec.template.spec.containers[0].ports[0].containerPort}").stdout
    assert jp == "8080"
    labels = engine.k("get", "deploy", "-n", "demo", "--show-labels").stdout
    assert re.search(r"LABELS\n(.*\n)*web\s.*app=web", labels), labels

    engine.k("create", "configmap", "zeta", "-n", "demo", "--from-literal=a=1")
    engine.k("create", "configmap", "alpha", "-n", "demo", "--from-literal=a=1")
    engine.k("label", "cm", "alpha", "-n", "demo", "app=web")
    names = engine.k("get", "cm", "-n", "demo", "-l", "app=web", "-o", "name").stdout.split()
    assert names == ["configmap/alpha"]
    sorted_names = engine.k("get", "cm", "-n", "demo", "--sort-by=.metadata.name",
                            "-o", "custom-columns=N:.metadata.name", "--no-headers").stdout.split()
    assert sorted_names == sorted(sorted_names) and "alpha" in sorted_names
    every = table(engine.k("get", "cm", "-A").stdout)
    assert {"NAMESPACE", "NAME", "DATA", "AGE"} <= set(every[0])
    assert {r["NAMESPACE"] for r in every} >= {"demo"}


# -- 6 ---------------------------------------------------------------------------------------
def test_06_imperative_create(engine):
    ensure_ns(engine, "demo")
    out = engine.k("create", "deployment", "hello", "--image=busybox:1.36", "--replicas=2",
                   "-n", "demo").stdout
    assert "deployment.apps/hello created" in out
    d = engine.kjson("get", "deploy", "hello", "-n", "demo")
    assert d["spec"]["replicas"] == 2
    assert d["spec"]["selector"]["matchLabels"] == {"app": "hello"}
    assert d["spec"]["template"]["spec"]["containers"][0]["image"] == "busybox:1.36"

    engine.k("create", "configmap", "settings", "-n", "demo", "--from-literal=mode=fast")
    assert engine.kjson("get", "cm", "settings", "-n", "demo")["data"] == {"mode": "fast"}
    engine.k("create", "secret", "generic", "token", "-n", "demo", "--from-literal=t=abc")
    s = engine.kjson("get", "secret", "token", "-n", "demo")
    assert s["data"] == {"t": "YWJj"} and s["type"] == "Opaque"
    engine.k("create", "service", "clusterip", "api", "--tcp=80:8080", "-n", "demo")
    svc = engine.kjson("get", "svc", "api", "-n", "demo")
    assert svc["spec"]["ports"][0]["targetPort"] == 8080
    assert re.fullmatch(r"10\.\d+\.\d+\.\d+", svc["spec"]["clusterIP"])
    assert svc["spec"]["clusterIPs"] == [svc["spec"]["clusterIP"]]
    engine.k("create", "job", "once", "--image=busybox:1.36", "-n", "demo", "--", "true")
    job = engine.kjson("get", "job", "once", "-n", "demo")
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    assert job["spec"]["backoffLimit"] == 6
    assert "batch.kubernetes.io/controller-uid" in job["spec"]["selector"]["matchLabels"]
    # Jobs select on status.successful (the API's name for status.succeeded).
    engine.k("patch", "job", "once", "-n", "demo", "--subresource=status", "--type=merge",
             "-p", '{"status":{"succeeded":1}}')
    done = engine.k("get", "jobs", "-n", "demo", "--field-selector=status.successful=1",
                    "-o", "name").stdout.split()
    assert done == ["job.batch/once"]
    assert engine.k("get", "jobs", "-n", "demo", "--field-selector=status.successful=0",
                    "-o", "name").stdout.strip() == ""
    engine.k("autoscale", "deployment", "hello", "--min=2", "--max=5", "--cpu-percent=80",
             "-n", "demo")
    rows = table(engine.k("get", "hpa", "hello", "-n", "demo").stdout)
    assert rows[0]["REFERENCE"] == "Deployment/hello"
    assert rows[0]["MINPODS"] == "2" and rows[0]["MAXPODS"] == "5"
    hpa = engine.kjson("get", "hpa.v2.autoscaling", "hello", "-n", "demo")
    metric = hpa["spec"]["metrics"][0]["resource"]
    assert metric["name"] == "cpu" and metric["target"]["averageUtilization"] == 80


# -- 7 ---------------------------------------------------------------------------------------
def test_07_mutations(engine):
    ensure_ns(engine, "demo")
    if engine.k("get", "deploy", "hello", "-n", "demo", check=False).returncode != 0:
        engine.k("create", "deployment", "hello", "--image=busybox:1.36", "-n", "demo")

    def get():
        return engine.kjson("get", "deploy", "hello", "-n", "demo")

    engine.k("label", "deploy", "hello", "-n", "demo", "tier=backend")
    assert get()["metadata"]["labels"]["tier"] == "backend"
    engine.k("label", "deploy", "hello", "-n", "demo", "tier-")
    assert "tier" not in get()["metadata"]["labels"]
    res = engine.k("label", "deploy", "hello", "-n", "demo", "app=other", check=False)
    assert res.returncode != 0 and "--overwrite" in res.stderr
    engine.k("annotate", "deploy", "hello", "-n", "demo", "owner=ops")
    assert get()["metadata"]["annotations"]["owner"] == "ops"

    engine.k("patch", "deploy", "hello", "-n", "demo", "--type=merge", "-p",
             '{"spec":{"minReadySeconds":3}}')
    assert get()["spec"]["minReadySeconds"] == 3
    engine.k("patch", "deploy", "hello", "-n", "demo", "--type=json", "-p",
             '[{"op":"replace","path":"/spec/minReadySeconds","value":4}]')
    assert get()["spec"]["minReadySeconds"] == 4
    engine.k("patch", "deploy", "hello", "-n", "demo", "--type=strategic", "-p",
             '{"spec":{"template":{"spec":{"containers":[{"name":"side","image":"busybox:1.36"}]}}}}')
    names = [c["name"] for c in get()["spec"]["template"]["spec"]["containers"]]
    assert names == ["side", "busybox"]  # merged by name, patch items first as upstream
    res = engine.k("patch", "deploy", "hello", "-n", "demo", "--type=json", "-p",
                   '[{"op":"test","path":"/spec/replicas","value":99}]', check=False)
    assert res.returncode != 0

    engine.k("set", "image", "deploy/hello", "-n", "demo", "busybox=busybox:1.37")
    images = {c["name"]: c["image"] for c in get()["spec"]["template"]["spec"]["containers"]}
    assert images == {"busybox": "busybox:1.37", "side": "busybox:1.36"}
    engine.k("set", "env", "deploy/hello", "-n", "demo", "-c", "busybox", "MODE=fast")
    env = get()["spec"]["template"]["spec"]["containers"][1]["env"]
    assert {"name": "MODE", "value": "fast"} in env

    generation = get()["metadata"]["generation"]
    out = engine.k("scale", "deploy/hello", "-n", "demo", "--replicas=5").stdout
    assert "deployment.apps/hello scaled" in out
    d = get()
    assert d["spec"]["replicas"] == 5 and d["metadata"]["generation"] == generation + 1
    scale = json.loads(engine.k("get", "--raw",
                                "/apis/apps/v1/namespaces/demo/deployments/hello/scale").stdout)
    assert scale["kind"] == "Scale" and scale["spec"]["replicas"] == 5
    assert scale["status"]["selector"] == "app=hello"
    res = engine.k("scale", "deploy/hello", "-n", "demo", "--replicas=2",
                   "--current-replicas=3", check=False)
    assert res.returncode == 1 and "Expected replicas to be 3, was 5" in res.stderr


# -- 8 ---------------------------------------------------------------------------------------
POD = """apiVersion: v1
kind: Pod
metadata:
  name: {name}
  namespace: watchme
spec:
  containers:
  - name: main
    image: busybox:1.36
"""


def test_08_get_pods_watch(engine):
    ensure_ns(engine, "watchme")
    engine.k("apply", "-f", "-", input=POD.format(name="before"))
    watcher = subprocess.Popen(engine.kubectl_args("get", "pods", "-n", "watchme", "-w",
                                                   "--output-watch-events"),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        lines = LineReader(watcher)
        assert re.match(r"EVENT\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE",
                        lines.wait_for(lambda l: l.startswith("EVENT")))
        lines.wait_for(lambda l: re.match(r"ADDED\s+before\s+0/1\s+Pending", l))
        engine.k("apply", "-f", "-", input=POD.format(name="during"))
        lines.wait_for(lambda l: re.match(r"ADDED\s+during\s+0/1\s+Pending", l))
        engine.k("label", "pod", "during", "-n", "watchme", "seen=yes")
        lines.wait_for(lambda l: re.match(r"MODIFIED\s+during\s", l))
        engine.k("delete", "pod", "during", "-n", "watchme", "--grace-period=0", "--force")
        lines.wait_for(lambda l: re.match(r"DELETED\s+during\s", l))
    finally:
        watcher.kill()
        watcher.wait()


# -- 9 ---------------------------------------------------------------------------------------
def test_09_errors(engine, tmp_path):
    ensure_ns(engine, "errs")
    one = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\n  namespace: errs\n" \
          "data:\n  a: '1'\n"
    engine.k("create", "-f", "-", input=one)
    res = engine.k("create", "-f", "-", input=one, check=False)
    assert res.returncode == 1
    assert "Error from server (AlreadyExists)" in res.stderr
    assert 'configmaps "one" already exists' in res.stderr

    res = engine.k("get", "configmap", "missing", "-n", "errs", check=False)
    assert 'Error from server (NotFound): configmaps "missing" not found' in res.stderr

    cm = engine.kjson("get", "cm", "one", "-n", "errs")
    stale = dict(cm)
    engine.k("label", "cm", "one", "-n", "errs", "bump=1")
    stale["data"] = {"a": "2"}
    path = tmp_path / "stale.json"
    path.write_text(json.dumps(stale))
    res = engine.k("replace", "-f", str(path), check=False)
    assert res.returncode == 1
    assert "Error from server (Conflict)" in res.stderr
    assert "the object has been modified; please apply your changes to the latest version" \
        in res.stderr

    unknown = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: typo\n  namespace: errs\n" \
              "dataa:\n  a: b\n"
    res = engine.k("apply", "--validate=strict", "-f", "-", input=unknown, check=False)
    assert res.returncode == 1 and 'unknown field "dataa"' in res.stderr, res.stderr
    assert engine.k("get", "cm", "typo", "-n", "errs", check=False).returncode == 1

    bad = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n  namespace: errs\n"
    res = engine.k("create", "-f", "-", input=bad, check=False)
    assert res.returncode == 1
    assert 'The ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": ' \
        'a lowercase RFC 1123 subdomain' in res.stderr, res.stderr

    big = {"apiVersion": "v1", "kind": "ConfigMap",
           "metadata": {"name": "big", "namespace": "errs"}, "data": {"x": "y" * (5 << 20)}}
    (tmp_path / "big.json").write_text(json.dumps(big))
    res = engine.k("create", "-f", str(tmp_path / "big.json"), check=False)
    assert res.returncode == 1 and "Request entity too large" in res.stderr, res.stderr[:500]

    curl = engine.curl_args() + ["-o", "-", "-w", "\n%{http_code}"]
    url = f"{engine.api}/api/v1/namespaces/errs/configmaps"
    out = subprocess.run(curl + ["-X", "POST", "-H", "Content-Type: application/json",
                                 "--data-binary", '{"apiVersion":"v1","kind":"Conf', url],
                         capture_output=True, text=True).stdout
    body, code = out.rsplit("\n", 1)
    assert code == "400"
    status = json.loads(body)
    assert status["kind"] == "Status" and status["reason"] == "BadRequest"
    out = subprocess.run(curl + ["-X", "POST", "-H", "Content-Type: application/yaml",
                                 "--data-binary", "kind: [unclosed", url],
                         capture_output=True, text=True).stdout
    assert out.rsplit("\n", 1)[1] == "400"
    res = engine.k("create", "-f", "-", input="kind: ConfigMap\n  bad: [indent", check=False)
    assert res.returncode == 1
    # ... and the engine still serves, with nothing lost.
    assert engine.kjson("get", "cm", "one", "-n", "errs")["metadata"]["labels"] == {"bump": "1"}


# -- 10 --------------------------------------------------------------------------------------
def make_chain(engine, ns):
    """Deployment -> ReplicaSet -> Pod, made by the engine's own controllers. Returns the
    ReplicaSet's and the Pod's names."""
    engine.k("create", "deployment", "chain", "--image=busybox:1.36", "--replicas=1", "-n", ns)
    engine.k("wait", "--for=jsonpath={.status.replicas}=1", "deploy/chain", "-n", ns,
             "--timeout=30s")
    rs = engine.k("get", "rs", "-n", ns, "-l", "app=chain", "-o", "name").stdout.split()
    pods = engine.k("get", "pods", "-n", ns, "-l", "app=chain", "-o", "name").stdout.split()
    assert len(rs) == 1 and len(pods) == 1, (rs, pods)
    return rs[0], pods[0]


def test_10_cascading_deletes(engine):
    ensure_ns(engine, "gc")
    rs, pod = make_chain(engine, "gc")
    out = engine.k("delete", "deploy", "chain", "-n", "gc", "--cascade=orphan").stdout
    assert 'deployment.apps "chain" deleted' in out
    orphan = engine.kjson("get", rs, "-n", "gc")
    assert "ownerReferences" not in orphan["metadata"]
    assert engine.k("get", pod, "-n", "gc", check=False).returncode == 0
    engine.k("delete", rs, "-n", "gc", "--wait=true", "--timeout=30s")
    engine.k("wait", "--for=delete", pod, "-n", "gc", "--timeout=30s")

    rs, pod = make_chain(engine, "gc")
    out = engine.k("delete", "deploy", "chain", "-n", "gc", "--cascade=foreground",
                   "--wait=true", "--timeout=30s").stdout
    assert 'deployment.apps "chain" deleted' in out
    # Foreground: the owner went only after its dependents.
    for kind in ("replicaset", "pod"):
        res = engine.k("get", kind, "-n", "gc", "-l", "app=chain", "-o", "name")
        assert res.stdout.strip() == "", res.stdout

    rs, pod = make_chain(engine, "gc")
    engine.k("delete", "deploy", "chain", "-n", "gc")  # background
    engine.k("wait", "--for=delete", rs, pod, "-n", "gc", "--timeout=30s")

    ensure_ns(engine, "doomed")
    engine.k("create", "configmap", "c", "-n", "doomed", "--from-literal=a=1")
    make_chain(engine, "doomed")
    out = engine.k("delete", "ns", "doomed", "--timeout=30s").stdout
    assert 'namespace "doomed" deleted' in out
    assert engine.k("get", "ns", "doomed", check=False).returncode == 1
    res = engine.k("get", "cm,deploy,rs,pods", "-n", "doomed", "-o", "name")
    assert res.stdout.strip() == ""


# -- 11 --------------------------------------------------------------------------------------
def test_11_finalizers(engine):
    ensure_ns(engine, "fin")
    cm = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: held\n  namespace: fin\n"
          "  finalizers: [example.com/hold]\ndata: {a: b}\n")
    engine.k("apply", "-f", "-", input=cm)
    engine.k("delete", "cm", "held", "-n", "fin", "--wait=false")
    live = engine.kjson("get", "cm", "held", "-n", "fin")
    assert "deletionTimestamp" in live["metadata"]
    assert live["metadata"]["finalizers"] == ["example.com/hold"]
    res = engine.k("label", "cm", "held", "-n", "fin", "still=here")
    assert res.returncode == 0
    engine.k("patch", "cm", "held", "-n", "fin", "--type=json", "-p",
             '[{"op":"remove","path":"/metadata/finalizers"}]')
    engine.k("wait", "--for=delete", "cm/held", "-n", "fin", "--timeout=10s")

    ns_obj = ("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: fin2\n")
    engine.k("apply", "-f", "-", input=ns_obj)
    engine.k("apply", "-f", "-", input=cm.replace("namespace: fin", "namespace: fin2"))
    engine.k("delete", "ns", "fin2", "--wait=false")
    rows = {r["NAME"]: r for r in table(engine.k("get", "ns").stdout)}
    assert rows["fin2"]["STATUS"] == "Terminating"
    res = engine.k("create", "configmap", "late", "-n", "fin2", check=False)
    assert "because it is being terminated" in res.stderr, res.stderr
    engine.k("patch", "cm", "held", "-n", "fin2", "--type=merge", "-p",
             '{"metadata":{"finalizers":null}}')
    engine.k("wait", "--for=delete", "ns/fin2", "--timeout=30s")


# -- 12 --------------------------------------------------------------------------------------
def test_12_explain(engine):
    out = engine.k("explain", "deployment.spec.strategy").stdout
    assert "GROUP:      apps" in out and "KIND:       Deployment" in out
    assert "FIELD: strategy <DeploymentStrategy>" in out
    assert "rollingUpdate\t<RollingUpdateDeployment>" in out
    assert "type\t<string>" in out
    out = engine.k("explain", "pods.spec.containers.image").stdout
    assert "FIELD: image <string>" in out
    assert re.search(r"DESCRIPTION:\n\s+Container image \w+", out), out


# -- 13 --------------------------------------------------------------------------------------
def test_13_custom_resources(engine, manifest):
    ensure_ns(engine, "demo")
    out = engine.k("apply", "-f", "-", input=manifest("crd.yaml")).stdout
    assert "customresourcedefinition.apiextensions.k8s.io/backups.ops.example.com created" in out
    engine.k("wait", "--for=condition=Established", "crd/backups.ops.example.com",
             "--timeout=10s")
    rows = [r for r in table(engine.k("api-resources", "--api-group=ops.example.com").stdout)]
    assert rows[0]["NAME"] == "backups" and rows[0]["SHORTNAMES"] == "bk"

    watcher = subprocess.Popen(engine.kubectl_args("get", "backups", "-n", "demo", "-w",
                                                   "--output-watch-events"),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        lines = LineReader(watcher)
        out = engine.k("apply", "-f", "-", input=manifest("backup.yaml")).stdout
        assert "backup.ops.example.com/nightly created" in out
        # Declared columns replace the default Age column, as upstream.
        lines.wait_for(lambda l: re.fullmatch(r"ADDED\s+nightly\s+0 2 \* \* \*\s+7\s*", l))
        got = table(engine.k("get", "bk", "-n", "demo").stdout)
        assert got == [{"NAME": "nightly", "SCHEDULE": "0 2 * * *", "RETAIN": "7"}]
        engine.k("patch", "backup", "nightly", "-n", "demo", "--type=merge", "-p",
                 '{"spec":{"retain":9}}')
        lines.wait_for(lambda l: re.fullmatch(r"MODIFIED\s+nightly\s+0 2 \* \* \*\s+9\s*", l))
        assert engine.kjson("get", "backup", "nightly", "-n", "demo")["spec"]["retain"] == 9

        invalid = manifest("backup.yaml").replace("retain: 7", "retain: 0")
        res = engine.k("apply", "-f", "-", input=invalid.replace("nightly", "weekly"),
                       check=False)
        assert res.returncode == 1 and "spec.retain" in res.stderr, res.stderr
        missing = "apiVersion: ops.example.com/v1\nkind: Backup\nmetadata:\n  name: empty\n" \
                  "  namespace: demo\nspec:\n  retain: 2\n"
        res = engine.k("apply", "-f", "-", input=missing, check=False)
        assert res.returncode == 1 and "spec.schedule: Required value" in res.stderr, res.stderr

        engine.k("delete", "backup", "nightly", "-n", "demo")
        lines.wait_for(lambda l: re.match(r"DELETED\s+nightly\s", l))
    finally:
        watcher.kill()
        watcher.wait()
    assert engine.k("get", "backups", "-n", "demo", "-o", "name").stdout.strip() == ""


SCALED_CRD = """apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: pools.ops.example.com
spec:
  group: ops.example.com
  scope: Namespaced
  names: {plural: pools, singular: pool, kind: Pool}
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale:
        specReplicasPath: .spec.size
        statusReplicasPath: .status.ready
        labelSelectorPath: .status.selector
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
          status:
            type: object
            properties:
              ready: {type: integer}
              selector: {type: string}
"""


def test_13b_custom_resource_subresources_and_removal(engine):
    ensure_ns(engine, "pools")
    engine.k("apply", "-f", "-", input=SCALED_CRD)
    engine.k("wait", "--for=condition=Established", "crd/pools.ops.example.com", "--timeout=10s")
    crd = engine.kjson("get", "crd", "pools.ops.example.com")
    assert crd["status"]["acceptedNames"]["listKind"] == "PoolList"
    assert crd["status"]["storedVersions"] == ["v1"]
    pool = ("apiVersion: ops.example.com/v1\nkind: Pool\nmetadata:\n  name: p1\n"
            "  namespace: pools\nspec:\n  size: 2\nstatus:\n  ready: 9\n")
    engine.k("apply", "-f", "-", input=pool)
    p = engine.kjson("get", "pool", "p1", "-n", "pools")
    assert "status" not in p  # status is a subresource: dropped on create
    assert p["metadata"]["generation"] == 1
    # Without a printer column declared, the table is NAME and AGE.
    assert re.match(r"NAME\s+AGE\n", engine.k("get", "pools", "-n", "pools").stdout)

    engine.k("scale", "pool/p1", "-n", "pools", "--replicas=5")
    p = engine.kjson("get", "pool", "p1", "-n", "pools")
    assert p["spec"]["size"] == 5 and p["metadata"]["generation"] == 2
    engine.k("patch", "pool", "p1", "-n", "pools", "--subresource=status", "--type=merge",
             "-p", '{"status":{"ready":5,"selector":"app=p1"}}')
    scale = json.loads(engine.k("get", "--raw",
                                "/apis/ops.example.com/v1/namespaces/pools/pools/p1/scale").stdout)
    assert scale["spec"]["replicas"] == 5 and scale["status"]["replicas"] == 5
    assert scale["status"]["selector"] == "app=p1"
    p = engine.kjson("get", "pool", "p1", "-n", "pools")
    assert p["metadata"]["generation"] == 2  # status writes leave generation alone

    # Deleting the CRD deletes its objects, then the resource disappears from discovery.
    engine.k("delete", "crd", "pools.ops.example.com", "--timeout=30s")
    res = engine.k("get", "pools", "-n", "pools", check=False)
    assert res.returncode == 1
    # (kubectl's discovery cache may still know the name; the server then answers 404.)
    assert ('the server doesn\'t have a resource type "pools"' in res.stderr or
            "the server could not find the requested resource" in res.stderr), res.stderr
    groups = json.loads(engine.k("get", "--raw", "/apis").stdout)
    assert "ops.example.com" in {g["name"] for g in groups["groups"]}  # Backup still served
    res = engine.k("get", "--raw", "/apis/ops.example.com/v1/namespaces/pools/pools", check=False)
    assert res.returncode == 1 and "NotFound" in res.stderr
    # Re-creating it starts empty.
    engine.k("apply", "-f", "-", input=SCALED_CRD)
    engine.k("wait", "--for=condition=Established", "crd/pools.ops.example.com", "--timeout=10s")
    assert engine.k("get", "pools", "-n", "pools", "-o", "name").stdout.strip() == ""


def test_10b_foreground_waits_only_for_blocking_dependents(engine):
    ensure_ns(engine, "fg")

    def owner_and_child(owner, child, block):
        engine.k("create", "configmap", owner, "-n", "fg")
        o = engine.kjson("get", "cm", owner, "-n", "fg")
        engine.k("apply", "-f", "-", input=f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: {child}
  namespace: fg
  finalizers: [example.com/hold]
  ownerReferences:
  - {{apiVersion: v1, kind: ConfigMap, name: {owner}, uid: {o['metadata']['uid']},
     blockOwnerDeletion: {str(block).lower()}}}
""")

    owner_and_child("blocked", "blocker", True)
    engine.k("delete", "cm", "blocked", "-n", "fg", "--cascade=foreground", "--wait=false")
    engine.k("wait", "--for=jsonpath={.metadata.deletionTimestamp}", "cm/blocker", "-n", "fg",
             "--timeout=10s")
    live = engine.kjson("get", "cm", "blocked", "-n", "fg")
    assert live["metadata"]["finalizers"] == ["foregroundDeletion"]
    engine.k("patch", "cm", "blocker", "-n", "fg", "--type=merge", "-p",
             '{"metadata":{"finalizers":null}}')
    engine.k("wait", "--for=delete", "cm/blocked", "cm/blocker", "-n", "fg", "--timeout=10s")

    owner_and_child("free", "bystander", False)
    engine.k("delete", "cm", "free", "-n", "fg", "--cascade=foreground", "--timeout=10s")
    assert engine.k("get", "cm", "free", "-n", "fg", check=False).returncode == 1
    assert "deletionTimestamp" in engine.kjson("get", "cm", "bystander", "-n", "fg")["metadata"]
    engine.k("patch", "cm", "bystander", "-n", "fg", "--type=merge", "-p",
             '{"metadata":{"finalizers":null}}')


def test_events_share_storage_between_apis(engine):
    ensure_ns(engine, "ev")
    engine.k("apply", "-f", "-", input="""apiVersion: events.k8s.io/v1
kind: Event
metadata: {name: web.1, namespace: ev}
eventTime: "2026-11-21T10:00:00.000000Z"
reportingController: example.com/deployer
reportingInstance: deployer-1
action: Rolling
reason: Started
type: Normal
note: rollout started
regarding: {kind: Deployment, name: web, namespace: ev, apiVersion: apps/v1}
""")
    core = engine.kjson("get", "events.v1.", "web.1", "-n", "ev")
    assert core["apiVersion"] == "v1"
    assert core["message"] == "rollout started"
    assert core["involvedObject"]["name"] == "web"
    assert core["reportingComponent"] == "example.com/deployer"
    out = engine.k("get", "events", "-n", "ev").stdout
    assert re.search(r"Normal\s+Started\s+deployment/web\s+rollout started", out), out

    engine.k("apply", "-f", "-", input="""apiVersion: v1
kind: Event
metadata: {name: web.2, namespace: ev}
involvedObject: {kind: Pod, name: web-abc, namespace: ev}
reason: Pulled
message: image pulled
type: Normal
count: 3
source: {component: pilothouse-agent}
""")
    new = engine.kjson("get", "events.v1.events.k8s.io", "web.2", "-n", "ev")
    assert new["apiVersion"] == "events.k8s.io/v1"
    assert new["note"] == "image pulled" and new["regarding"]["name"] == "web-abc"
    assert new["deprecatedCount"] == 3
    assert new["deprecatedSource"] == {"component": "pilothouse-agent"}
    names = engine.k("get", "events.v1.events.k8s.io", "-n", "ev", "-o", "name").stdout.split()
    assert names == ["event.events.k8s.io/web.1", "event.events.k8s.io/web.2"]
