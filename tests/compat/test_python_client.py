"""acceptance/engine-api.md item 15: Debian's Python client (python3-kubernetes) unmodified."""

import pytest

kubernetes = pytest.importorskip("kubernetes", reason="run with /usr/bin/python3")
from kubernetes import client, config, watch  # noqa: E402
from kubernetes.client.rest import ApiException  # noqa: E402


@pytest.fixture(scope="module")
def api(engine):
    cfg = client.Configuration()
    config.load_kube_config(config_file=engine.kubeconfig, client_configuration=cfg)
    with client.ApiClient(cfg) as api_client:
        yield api_client


def test_core_and_apps_crud(api):
    core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name="py")))
    cm = core.create_namespaced_config_map("py", client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name="settings", labels={"app": "py"}),
        data={"mode": "fast"}))
    assert cm.metadata.uid and cm.metadata.resource_version
    core.create_namespaced_config_map("py", client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name="other", labels={"app": "other"})))
    assert core.read_namespaced_config_map("settings", "py").data == {"mode": "fast"}
    listed = core.list_namespaced_config_map("py", label_selector="app=py")
    assert [i.metadata.name for i in listed.items] == ["settings"]
    patched = core.patch_namespaced_config_map("settings", "py", {"data": {"mode": "slow"}})
    assert patched.data == {"mode": "slow"}
    patched = core.patch_namespaced_config_map(
        "settings", "py", [{"op": "add", "path": "/data/extra", "value": "1"}])
    assert patched.data == {"mode": "slow", "extra": "1"}

    dep = client.V1Deployment(
        metadata=client.V1ObjectMeta(name="api", labels={"app": "api"}),
        spec=client.V1DeploymentSpec(
            replicas=2,
            selector=client.V1LabelSelector(match_labels={"app": "api"}),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels={"app": "api"}),
                spec=client.V1PodSpec(containers=[
                    client.V1Container(name="api", image="busybox:1.36",
                                       ports=[client.V1ContainerPort(container_port=8080)])]))))
    created = apps.create_namespaced_deployment("py", dep)
    assert created.spec.strategy.type == "RollingUpdate"
    assert created.metadata.generation == 1
    got = apps.read_namespaced_deployment("api", "py")
    assert got.spec.template.spec.containers[0].image == "busybox:1.36"
    assert [d.metadata.name for d in
            apps.list_namespaced_deployment("py", label_selector="app=api").items] == ["api"]
    patched = apps.patch_namespaced_deployment("api", "py", {"spec": {"template": {"spec": {
        "containers": [{"name": "api", "image": "busybox:1.37"}]}}}})
    assert patched.spec.template.spec.containers[0].image == "busybox:1.37"
    assert patched.spec.template.spec.containers[0].ports[0].container_port == 8080
    scale = apps.patch_namespaced_deployment_scale("api", "py", {"spec": {"replicas": 4}})
    assert scale.spec.replicas == 4
    apps.delete_namespaced_deployment("api", "py")
    core.delete_namespaced_config_map("other", "py")
    with pytest.raises(ApiException) as err:
        core.read_namespaced_config_map("other", "py")
    assert err.value.status == 404
    with pytest.raises(ApiException) as err:
        core.create_namespaced_config_map("py", client.V1ConfigMap(
            metadata=client.V1ObjectMeta(name="settings")))
    assert err.value.status == 409 and err.value.reason == "Conflict"


def pod(name):
    return client.V1Pod(metadata=client.V1ObjectMeta(name=name),
                        spec=client.V1PodSpec(containers=[
                            client.V1Container(name="main", image="busybox:1.36")]))


def test_watch_stream_and_server_timeout(api):
    core = client.CoreV1Api(api)
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name="pywatch")))
    core.create_namespaced_pod("pywatch", pod("first"))
    w = watch.Watch()
    seen = []
    # The server closes the stream at timeoutSeconds; the client must end cleanly.
    for event in w.stream(core.list_namespaced_pod, "pywatch", timeout_seconds=2):
        seen.append((event["type"], event["object"].metadata.name))
        if event["object"].metadata.name == "first" and len(seen) == 1:
            core.create_namespaced_pod("pywatch", pod("second"))
            core.delete_namespaced_pod("second", "pywatch", grace_period_seconds=0)
    assert seen[0] == ("ADDED", "first")
    assert ("ADDED", "second") in seen and ("DELETED", "second") in seen
    assert isinstance(event["object"], client.V1Pod)

    # Resume from the last resourceVersion: only later changes arrive.
    rv = core.list_namespaced_pod("pywatch").metadata.resource_version
    core.create_namespaced_pod("pywatch", pod("third"))
    names = [(e["type"], e["object"].metadata.name) for e in
             w.stream(core.list_namespaced_pod, "pywatch", resource_version=rv,
                      timeout_seconds=1)]
    # Only later changes: "third" appears, nothing about the pods listed before. (The
    # scheduler may add a MODIFIED for "third": no node fits it.)
    assert names[0] == ("ADDED", "third")
    assert {name for _, name in names} == {"third"}


def test_list_node_deserialises(api):
    core = client.CoreV1Api(api)
    node = {
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": "node-a", "labels": {"kubernetes.io/hostname": "node-a"}},
        "spec": {"taints": [{"key": "example.com/gpu", "effect": "NoSchedule"}]},
    }
    core.create_node(node)
    status = {"status": {
        "capacity": {"cpu": "2", "memory": "4Gi", "pods": "110"},
        "allocatable": {"cpu": "2", "memory": "4Gi", "pods": "110"},
        "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                        "message": "ready", "lastHeartbeatTime": "2026-11-21T00:00:00Z",
                        "lastTransitionTime": "2026-11-21T00:00:00Z"}],
        "addresses": [{"type": "InternalIP", "address": "10.0.0.5"},
                      {"type": "Hostname", "address": "node-a"}],
        "nodeInfo": {"machineID": "m", "systemUUID": "s", "bootID": "b",
                     "kernelVersion": "6.1.0", "osImage": "Debian GNU/Linux 12",
                     "containerRuntimeVersion": "runc://1.1.5", "kubeletVersion": "v1.32.0",
                     "kubeProxyVersion": "v1.32.0", "operatingSystem": "linux",
                     "architecture": "amd64"}}}
    core.patch_node_status("node-a", status)
    nodes = core.list_node()
    assert [n.metadata.name for n in nodes.items] == ["node-a"]
    n = nodes.items[0]
    assert n.status.node_info.kubelet_version == "v1.32.0"
    assert n.status.conditions[0].type == "Ready"
    assert n.spec.taints[0].effect == "NoSchedule"
    assert n.status.capacity["memory"] == "4Gi"
