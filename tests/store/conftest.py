"""Fixtures of the PostgreSQL-specific store tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hub.store import Store
from tests.contract.stacks import postgres_store
from tests.infra import PostgresServer


@pytest.fixture
def store(postgres: PostgresServer) -> Iterator[Store]:
    """A migrated store on a fresh database of the session's PostgreSQL server."""
    store = postgres_store(postgres)
    yield store
    store.dispose()
