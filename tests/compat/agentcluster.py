"""Shared set-up for the node-agent scenarios: an engine plus two real agents (cluster.md E, A1,
A2), and small helpers to read pods the way a user would (kubectl)."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
from pathlib import Path

import pytest

import testregistry

from pilot_agent import Agent, wait_until
from testregistry import TestRegistry

MANIFESTS = Path(__file__).resolve().parent.parent / "data" / "manifests"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self, engine, agents: list[Agent], registry: TestRegistry | None = None):
        self.engine = engine
        self.agents = agents
        # Agents a test started and stopped before the end: stop_cluster still removes what
        # they leave on the host (containers, the pod bridge).
        self.retired: list[Agent] = []
        self.registry = registry
        self.k = engine.k
        self.kjson = engine.kjson

    def agent(self, node: str) -> Agent:
        return next(a for a in self.agents if a.node_name == node)

    def retire(self, agent: Agent) -> None:
        """Takes a stopped agent out of the cluster; its leftovers go with the cluster's."""
        self.agents.remove(agent)
        self.retired.append(agent)

    def pod(self, ns: str, name: str) -> dict:
        return self.kjson("get", "pod", name, "-n", ns)

    def pods(self, ns: str, selector: str) -> list[dict]:
        return self.kjson("get", "pods", "-n", ns, "-l", selector)["items"]

    def wait_ready(self, ns: str, name: str, timeout: float = 60.0) -> dict:
        def ready():
            try:
                pod = self.pod(ns, name)
            except AssertionError:
                return None
            conditions = {c["type"]: c["status"] for c in pod["status"].get("conditions", [])}
            return pod if (pod["status"].get("phase") == "Running"
                           and conditions.get("Ready") == "True") else None
        return wait_until(ready, timeout, message=f"pod {ns}/{name} Running and Ready")

    def wait_selector_ready(self, ns: str, selector: str, count: int, timeout: float = 60.0):
        def ready():
            pods = [p for p in self.pods(ns, selector)
                    if not p["metadata"].get("deletionTimestamp")]
            good = [p for p in pods if p["status"].get("phase") == "Running" and any(
                c["type"] == "Ready" and c["status"] == "True"
                for c in p["status"].get("conditions", []))]
            return good if len(good) == count else None
        return wait_until(ready, timeout, message=f"{count} ready pods {ns} -l {selector}")

    def status_row(self, ns: str, name: str) -> list[str]:
        """The `kubectl get pod` row: NAME READY STATUS RESTARTS AGE."""
        out = self.k("get", "pod", name, "-n", ns, "--no-headers").stdout.split()
        return out

    def container_pid(self, pod: dict, container: str | None = None) -> int:
        """The host pid of a running container (process runtime), from its monitor's state."""
        statuses = pod["status"]["containerStatuses"]
        status = next(s for s in statuses if container is None or s["name"] == container)
        kind, cid = status["containerID"].split("://", 1)
        agent = self.agent(pod["spec"]["nodeName"])
        state = agent.data_dir / "runtime" / kind / "containers" / cid / "monitor" / "state.json"
        return json.loads(state.read_text())["pid"]

    def pod_url(self, pod: dict, port: int, path: str = "/") -> str:
        return f"http://{pod['status']['podIP']}:{port}{path}"


def start_cluster(engine, agent_binary: str, runtime: str, tmp: Path, count: int = 2) -> Cluster:
    """`count` agents n1..nN; with the runc runtime, images come from a local registry that
    holds busybox:1.36 (agents mirror docker.io to it)."""
    registry = None
    extra: list[str] = []
    names = [f"n{i}" for i in range(1, count + 1)]
    if runtime == "runc":
        if os.geteuid() != 0 or not shutil.which("runc") or not testregistry.available():
            pytest.skip("the runc runtime needs root, runc, docker-registry and skopeo")
        registry = TestRegistry(tmp / "registry").start()
        extra = ["--registry-mirror", f"docker.io={registry.url}"]
        # Pod networks (bridge, subnet) derive from node names: unique ones let runc clusters
        # run side by side.
        token = secrets.token_hex(2)
        names = [f"n{i}-{token}" for i in range(1, count + 1)]
    agents = []
    for i, name in enumerate(names, start=1):
        agents.append(Agent(agent_binary, engine, name, tmp / f"agent{i}", runtime=runtime,
                            extra_args=extra).start())
    engine.k("wait", "--for=condition=Ready", "node", "--all", "--timeout=60s")
    return Cluster(engine, agents, registry)


def stop_cluster(cluster: Cluster) -> None:
    """Lets the agents remove their pods (containers, mounts, networks), then stops them."""
    if all(a.alive() for a in cluster.agents):
        cluster.k("delete", "deployments,replicasets,daemonsets,statefulsets,jobs,cronjobs",
                  "--all", "-A", "--wait=true", check=False, timeout=120)
        cluster.k("delete", "pods", "--all", "-A", "--grace-period=1", "--wait=true",
                  check=False, timeout=120)
    for agent in cluster.agents + cluster.retired:
        if agent.alive():
            agent.stop()
        agent.remove_containers()
    if cluster.registry:
        cluster.registry.stop()
