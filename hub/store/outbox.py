"""Outbox rows: events committed with the state change that caused them, waiting for the relay."""

from __future__ import annotations

import zlib
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

import orjson
from sqlalchemy import Connection, any_, delete, func, insert, select

from hub.events import Event
from hub.jsonio import json_text
from hub.store import sqlite_fast
from hub.store.tables import outbox

SHARDS = 64


def shard_of(partition_key: str) -> int:
    return zlib.crc32(partition_key.encode()) % SHARDS


class PendingRow(NamedTuple):
    """An unpublished row as the relay needs it. A tuple (built in C, a third of a frozen dataclass's cost)
    holding the headers as the JSON text the outbox stores: parsed only by a broker that needs pairs."""

    id: int
    shard: int
    topic: str
    partition_key: str
    headers_json: str
    payload: bytes
    timestamp_ms: int

    @property
    def headers(self) -> list[tuple[str, bytes]]:
        return [(k, v.encode()) for k, v in orjson.loads(self.headers_json)]

    @property
    def created_at(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp_ms / 1000, UTC)


def row(event: Event, created_at: datetime) -> dict[str, Any]:
    """An event as its outbox row stores it: attributes as headers, data as the value."""
    return {
        "event_id": event.id,
        "topic": event.topic,
        "partition_key": event.partitionkey,
        "shard": shard_of(event.partitionkey),
        "sequence": event.sequence,
        "event_type": event.type,
        "headers": [[k, v] for k, v in event.header_text()],
        "payload": event.data_bytes(),
        "created_at": created_at,
    }


_SQLITE_APPEND = (
    "INSERT INTO outbox (event_id, topic, partition_key, shard, sequence, event_type, headers, payload, "
    "created_at) VALUES (:event_id, :topic, :partition_key, :shard, :sequence, :event_type, :headers, "
    ":payload, :created_at)"
)


def append(conn: Connection, events: Sequence[Event], created_at: datetime) -> None:
    if not events:
        return
    rows = [row(e, created_at) for e in events]
    raw = sqlite_fast.driver(conn)
    if raw is None:
        conn.execute(insert(outbox), rows)
        return
    at = sqlite_fast.sqlite_time(created_at)
    for r in rows:  # what the JSON and UTC column types would bind
        r["headers"], r["created_at"] = json_text(r["headers"]), at
    raw.executemany(_SQLITE_APPEND, rows)


# The relay's reads and marks go to the driver directly: through SQLAlchemy's result and type processing
# the read of 1,000 rows cost 17 ms of CPU here, as raw tuples 3 ms. Epoch milliseconds come from the
# database, so no datetime is built per row.
_PENDING = {
    "postgresql": (
        "SELECT id, shard, topic, partition_key, headers::text, payload,"
        " floor(extract(epoch FROM created_at) * 1000)::bigint"
        " FROM outbox WHERE published_at IS NULL{shards}{exclude} ORDER BY id LIMIT %(limit)s",
        " AND shard = ANY(%(shards)s::smallint[])",
        # NOT IN over a subquery is a hashed lookup; `<> ALL(array)` compared every row with every id.
        " AND id NOT IN (SELECT unnest(%(exclude)s::bigint[]))",
    ),
    "sqlite": (
        "SELECT id, shard, topic, partition_key, headers, payload,"
        # Stored as 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC): whole seconds, then the milliseconds' digits.
        " CAST(strftime('%s', created_at) AS INTEGER) * 1000 + CAST(substr(created_at, 21, 3) AS INTEGER)"
        " FROM outbox WHERE published_at IS NULL{shards}{exclude} ORDER BY id LIMIT :limit",
        " AND shard IN (SELECT value FROM json_each(:shards))",
        " AND id NOT IN (SELECT value FROM json_each(:exclude))",
    ),
}


def pending(
    conn: Connection, limit: int, shards: Sequence[int] | None = None, exclude: Collection[int] = ()
) -> list[PendingRow]:
    """Unpublished rows in id order, leaving out the ids in `exclude` (rows read ahead while an earlier
    batch is still being published). Selecting on the published flag (not on an id watermark) means a
    row whose transaction committed late is still found."""
    sql, by_shard, excluding = _PENDING[conn.dialect.name]
    params: dict[str, object] = {"limit": limit}
    if shards is not None:
        params["shards"] = _array(conn, shards)
    if exclude:
        params["exclude"] = _array(conn, exclude)
    query = sql.format(shards=by_shard if shards is not None else "", exclude=excluding if exclude else "")
    cursor = _cursor(conn)
    cursor.execute(query, params)
    return [PendingRow(*row) for row in cursor.fetchall()]


def mark_published(conn: Connection, ids: Sequence[int], at: datetime) -> None:
    if not ids:
        return
    cursor = _cursor(conn)
    if conn.dialect.name == "postgresql":
        # A mark lost in a database crash only makes the relay publish those rows again, which the
        # consumers' dedupe absorbs; so the mark need not wait for its WAL flush (one fsync per batch).
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute(
            "UPDATE outbox SET published_at = %(at)s WHERE id = ANY(%(ids)s::bigint[])",
            {"at": at, "ids": list(ids)},
        )
    else:
        stamp = sqlite_fast.sqlite_time(at)  # the format SQLAlchemy stores, so it reads back
        cursor.executemany("UPDATE outbox SET published_at = ? WHERE id = ?", [(stamp, i) for i in ids])


def _cursor(conn: Connection) -> Any:
    """A driver cursor inside the caller's transaction (SQLAlchemy's connection, its BEGIN)."""
    return conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]


def _array(conn: Connection, values: Collection[int]) -> object:
    # psycopg sends a list as an array; SQLite reads a JSON array through json_each.
    return list(values) if conn.dialect.name == "postgresql" else orjson.dumps(list(values)).decode()


def backlog(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).where(outbox.c.published_at.is_(None))).scalar_one())


def delete_published_before(conn: Connection, cutoff: datetime, limit: int) -> int:
    """Delete up to `limit` rows published before `cutoff`; found through the published_at index."""
    # Oldest first, through the index: a scan in table order would wade through the rows deleted by the
    # previous batches (dead until vacuum) again for every batch.
    oldest = (
        select(outbox.c.id).where(outbox.c.published_at < cutoff).order_by(outbox.c.published_at).limit(limit)
    )
    if conn.dialect.name == "postgresql":
        # = ANY(ARRAY(...)) pins the plan to primary-key lookups; SKIP LOCKED lets cleaners run side by side.
        batch = func.array(oldest.with_for_update(skip_locked=True).scalar_subquery())
        return conn.execute(delete(outbox).where(outbox.c.id == any_(batch))).rowcount or 0
    return conn.execute(delete(outbox).where(outbox.c.id.in_(oldest.scalar_subquery()))).rowcount or 0
