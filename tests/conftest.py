"""Fixtures for every test folder: real PostgreSQL and Kafka (started once per session), a hub home."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.infra import KafkaNode, PostgresServer, running_kafka, running_postgres
from tests.support.hubproc import HubCli, hub_env


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    with running_postgres() as server:
        yield server


@pytest.fixture(scope="session")
def kafka() -> Iterator[KafkaNode]:
    with running_kafka() as node:
        yield node


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def cli(home: Path) -> HubCli:
    return HubCli(hub_env(home))
