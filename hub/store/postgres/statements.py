"""The relay's reads and marks on PostgreSQL, on the psycopg cursor of the SQLAlchemy transaction: through
SQLAlchemy's result and type processing the read of 1,000 rows cost several times the query itself.
Epoch milliseconds come from the database, so no datetime is built per row."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

_PENDING = (
    "SELECT id, shard, topic, partition_key, headers::text, payload,"
    " floor(extract(epoch FROM created_at) * 1000)::bigint"
    " FROM outbox WHERE published_at IS NULL{shards}{exclude} ORDER BY id LIMIT %(limit)s"
)
_BY_SHARD = " AND shard = ANY(%(shards)s::smallint[])"
# NOT IN over a subquery is a hashed lookup; `<> ALL(array)` compared every row with every id.
_EXCLUDING = " AND id NOT IN (SELECT unnest(%(exclude)s::bigint[]))"


def cursor_of(conn: Connection) -> Any:
    """A driver cursor inside the caller's transaction (SQLAlchemy's connection, its BEGIN; after a unit of
    work's commit SQLAlchemy begins the next one only for statements that pass through it)."""
    if not conn.in_transaction():
        conn.begin()
    return conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]


def pending_outbox(
    conn: Connection, limit: int, shards: Sequence[int] | None, exclude: Collection[int]
) -> list[tuple[Any, ...]]:
    params: dict[str, object] = {"limit": limit}
    if shards is not None:
        params["shards"] = list(shards)
    if exclude:
        params["exclude"] = list(exclude)
    cursor = cursor_of(conn)
    cursor.execute(
        _PENDING.format(
            shards=_BY_SHARD if shards is not None else "", exclude=_EXCLUDING if exclude else ""
        ),
        params,
    )
    rows: list[tuple[Any, ...]] = cursor.fetchall()
    return rows


def mark_published(conn: Connection, ids: Sequence[int], at: datetime) -> None:
    cursor = cursor_of(conn)
    # A mark lost in a database crash only makes the relay publish those rows again, which the consumers'
    # dedupe absorbs; so the mark need not wait for its WAL flush (one fsync per batch).
    cursor.execute("SET LOCAL synchronous_commit = off")
    cursor.execute(
        "UPDATE outbox SET published_at = %(at)s WHERE id = ANY(%(ids)s::bigint[])",
        {"at": at, "ids": list(ids)},
    )
