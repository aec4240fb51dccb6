"""The code location as Dagster loads it, and a hub home per test that its runs work in."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import dagster as dg
import pytest

from hub.config import Settings
from hub.store import Store
from hub.wiring import open_broker, open_store
from tests.support.paths import REPO
from tests.support.sandbox import SandboxServer

PROBE_MODULE = "tests.support.probe_groups"  # registers the replay-probe groups


def load_defs(project: Path = REPO) -> dg.Definitions:
    """The code location as `dagster dev` loads it, for the project folder `project`."""
    from pipelines.definitions import defs as load

    clean = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    with mock.patch.dict(os.environ, {**clean, "HUB_PROJECT": str(project)}, clear=True):
        return load()


@pytest.fixture(scope="session")
def defs() -> dg.Definitions:
    return load_defs()


@pytest.fixture
def hub_home(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """HUB_* variables for runs executed in this process: the test's home (the one `cli` uses), the
    repository's project."""
    for name in list(os.environ):
        if name.startswith("HUB_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HUB_HOME", str(home))
    monkeypatch.setenv("HUB_PROJECT", str(REPO))
    from hub.consumers import discovery, registry

    before = discovery.groups()  # the groups every test may see, the built-in ones loaded
    monkeypatch.setenv("HUB_CONSUMER_MODULES", PROBE_MODULE)
    from tests.support import probe_groups  # registers them on first import, once per process

    probe_groups.register()
    yield home
    registry._GROUPS.clear()
    registry._GROUPS.update(before)


@pytest.fixture
def store(hub_home: Path) -> Iterator[Store]:
    store = open_store(Settings.from_env())
    yield store
    store.dispose()


@pytest.fixture
def broker(hub_home: Path) -> Iterator[object]:
    broker = open_broker(Settings.from_env())
    yield broker
    broker.close()


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as instance:
        yield instance


def scratch_project(root: Path, connector: str = "tiktok") -> Path:
    """A project folder holding a copy of one bundled connector and its mappings, to edit freely."""
    shutil.copytree(REPO / "connectors" / connector, root / "connectors" / connector)
    shutil.copytree(REPO / "mappings" / connector, root / "mappings" / connector)
    return root


@pytest.fixture
def pointed(hub_home: Path, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> SandboxServer:
    """Every bundled connector's credentials and settings aimed at the sandbox, as `hub up --sandbox`
    gives them to the Dagster UI it starts."""
    for name, value in sandbox.env().items():
        monkeypatch.setenv(name, value)
    return sandbox
