"""Alembic's migrations give exactly the schema of hub.store.tables, on SQLite and on PostgreSQL, and
walk down to nothing and back up again."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, select

from hub.store import Store
from hub.store.migrate import current, downgrade, upgrade
from hub.store.tables import metadata, outbox
from tests.infra import PostgresServer, fresh_database

HEAD = "0011"  # the newest migration; two heads would make `hub db upgrade` fail


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_store(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    if request.param == "sqlite":
        store = Store(f"sqlite:///{tmp_path}/hub.db")
    else:
        server: PostgresServer = request.getfixturevalue("postgres")
        store = Store(fresh_database(server, f"m_{uuid.uuid4().hex[:12]}"))
    yield store
    store.dispose()


def differences(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        return list(compare_metadata(context, metadata))


def partial_index_predicate(engine: Engine) -> str:
    with engine.connect() as conn:
        (index,) = [i for i in inspect(conn).get_indexes("outbox") if i["name"] == "ix_outbox_pending"]
    options = index.get("dialect_options", {})
    return str(options.get("postgresql_where") or options.get("sqlite_where")).strip("()").lower()


def test_a_fresh_database_at_head_matches_the_tables_exactly(empty_store: Store) -> None:
    upgrade(empty_store.backend)
    assert current(empty_store.engine) == HEAD
    assert differences(empty_store.engine) == []
    # compare_metadata does not look at index predicates; the relay's scan depends on this one.
    assert partial_index_predicate(empty_store.engine) == "published_at is null"


def test_downgrade_to_base_then_upgrade_again(empty_store: Store) -> None:
    upgrade(empty_store.backend)
    downgrade(empty_store.backend, "base")
    assert current(empty_store.engine) is None
    with empty_store.engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) == {"alembic_version"}
    upgrade(empty_store.backend)
    assert current(empty_store.engine) == HEAD
    assert differences(empty_store.engine) == []


def test_upgrading_from_0001_keeps_the_rows(empty_store: Store) -> None:
    upgrade(empty_store.backend, "0001")
    row = {
        "event_id": "e-1",
        "topic": "orders",
        "partition_key": "shop:1",
        "shard": 7,
        "sequence": 1,
        "event_type": "OrderPlaced",
        "headers": [["ce_id", "e-1"]],
        "payload": b"{}",
        "created_at": datetime(2026, 11, 1, tzinfo=UTC),
    }
    with empty_store.transaction() as conn:
        conn.execute(outbox.insert().values(row))
    upgrade(empty_store.backend)
    with empty_store.transaction() as conn:
        kept = conn.execute(select(outbox.c.event_id, outbox.c.headers, outbox.c.created_at)).one()
    assert tuple(kept) == ("e-1", [["ce_id", "e-1"]], row["created_at"])
