"""Fixtures for every test folder: real PostgreSQL and Kafka (started once per session), a hub home."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.infra import KafkaNode, PostgresServer, running_kafka, running_postgres
from tests.support import runtimes
from tests.support.hubproc import HubCli, hub_env
from tests.support.motoserver import MotoServer
from tests.support.sandbox import SandboxServer


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    with running_postgres() as server:
        yield server


@pytest.fixture(scope="session")
def kafka() -> Iterator[KafkaNode]:
    with running_kafka() as node:
        yield node


@pytest.fixture(scope="session")
def sqs_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    """moto's SQS-compatible server, started once per session on a free loopback port."""
    server = MotoServer(tmp_path_factory.mktemp("moto") / "moto_server.log").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def cli(home: Path) -> HubCli:
    return HubCli(hub_env(home))


@pytest.fixture(params=["hub", "oracle"])
def runtime(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> runtimes.Runtime:
    """Run a test on the hub's mapping runtime and again on the differential oracle."""
    chosen = runtimes.HUB if request.param == "hub" else runtimes.ORACLE
    monkeypatch.setattr(runtimes, "CURRENT", chosen)
    return chosen


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxServer]:
    """`hub sandbox` on a free loopback port, with no orders until a test seeds them."""
    server = SandboxServer(tmp_path / "sandbox.log").start()
    try:
        yield server
    finally:
        server.stop()
