import os
import shutil
from pathlib import Path

import pytest

from pilot_engine import Engine

HERE = Path(__file__).resolve().parent
MANIFESTS = HERE.parent / "data" / "manifests"


def pytest_addoption(parser):
    parser.addoption("--engine", default=os.environ.get("PILOT_ENGINE", ""),
                     help="path to the pilothouse-engine binary")
    parser.addoption("--simnodes", default=os.environ.get("PILOT_SIMNODES", ""),
                     help="path to the pilot-simnodes binary")
    parser.addoption("--agent", default=os.environ.get("PILOT_AGENT", ""),
                     help="path to the pilothouse-agent binary")
    parser.addoption("--agent-runtime", default=os.environ.get("PILOT_AGENT_RUNTIME", "process"),
                     help="runtime of the agents the node-agent scenarios start")


@pytest.fixture(scope="session")
def engine_binary(request) -> str:
    path = request.config.getoption("--engine")
    if not path:
        path = str(HERE.parents[1] / "build" / "bin" / "pilothouse-engine")
    assert os.access(path, os.X_OK), f"engine binary not found: {path}"
    return path


@pytest.fixture(scope="module")
def engine(engine_binary, tmp_path_factory):
    """One fresh engine per test module, as the acceptance scenarios ask ("a fresh E")."""
    e = Engine(engine_binary, tmp_path_factory.mktemp("engine") / "data").start()
    yield e
    if e.alive():
        assert e.stop() == 0, e.tail_log()


@pytest.fixture
def fresh_engine(engine_binary, tmp_path):
    e = Engine(engine_binary, tmp_path / "data")
    yield e
    if e.alive():
        e.kill()


@pytest.fixture
def manifest():
    def read(name: str) -> str:
        return (MANIFESTS / name).read_text()
    return read


@pytest.fixture(scope="session")
def simnodes_binary(request) -> str:
    path = request.config.getoption("--simnodes")
    if not path:
        path = str(HERE.parents[1] / "build" / "tests" / "pilot-simnodes")
    assert os.access(path, os.X_OK), f"pilot-simnodes binary not found: {path}"
    return path


@pytest.fixture(scope="session")
def agent_binary(request) -> str:
    path = request.config.getoption("--agent")
    if not path:
        path = str(HERE.parents[1] / "build" / "bin" / "pilothouse-agent")
    assert os.access(path, os.X_OK), f"agent binary not found: {path}"
    return path


@pytest.fixture(scope="session")
def agent_runtime(request) -> str:
    return request.config.getoption("--agent-runtime")
