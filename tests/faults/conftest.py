"""Fault tests run on PostgreSQL + Kafka: each gets a fresh database and topic prefix on the session's
servers, which some of these tests stop, restart or crash on purpose."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.faults.harness import FaultStack, fault_stack
from tests.infra import KafkaNode, PostgresServer


@pytest.fixture
def stack(postgres: PostgresServer, kafka: KafkaNode, home: Path) -> Iterator[FaultStack]:
    yield from fault_stack(postgres, kafka, home)


@pytest.fixture
def durable_postgres(postgres: PostgresServer) -> PostgresServer:
    """A restart test proves nothing about durability if commits were never flushed to disk."""
    with psycopg.connect(postgres.dsn) as conn:
        row = conn.execute("SELECT current_setting('fsync')").fetchone()
    assert row is not None and row[0] == "on", (
        "fault tests need PostgreSQL with fsync on (unset HUB_PG_FSYNC)"
    )
    return postgres
