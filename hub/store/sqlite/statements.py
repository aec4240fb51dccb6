"""The hot statements on SQLite, as plain SQL on the sqlite3 connection of the SQLAlchemy transaction.

Every accepted webhook writes an inbox row, bumps a per-key sequence and appends outbox rows; the relay
reads and marks outbox rows. Through SQLAlchemy Core each of those statements costs more in compiling,
parameter processing and result wrapping than SQLite takes to run it. Here they run inside the same
transaction (SQLAlchemy issued its BEGIN and commits it) and write values exactly as the column types do
(time.to_text; JSON through the engine's serializer), so every other reader sees the same rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Sequence
from datetime import datetime
from functools import cache
from itertools import groupby
from operator import itemgetter
from typing import Any

import orjson
from sqlalchemy import Connection

from hub.jsonio import json_text
from hub.store.commerce_tables import HISTORY_WRITE, ORDERS_ON_CONFLICT, ORDERS_WRITE
from hub.store.sqlite import time
from hub.store.tables import INBOX_WRITE

# Rows per multi-row statement: far below SQLite's limit of bound variables (32766 since 3.32).
CHUNK = 200

_INBOX = (
    f"INSERT INTO inbox ({', '.join(INBOX_WRITE)})",
    "ON CONFLICT (connector, dedupe_key) DO NOTHING RETURNING id, connector, dedupe_key",
)
_RECEIVED_AT = INBOX_WRITE.index("received_at")
_HEADERS = INBOX_WRITE.index("headers")
_SEQUENCES = (
    'INSERT INTO key_sequences ("key", seq)',
    'ON CONFLICT ("key") DO UPDATE SET seq = key_sequences.seq + excluded.seq RETURNING "key", seq',
)
_OUTBOX = (
    "INSERT INTO outbox (event_id, topic, partition_key, shard, sequence, event_type, headers, payload, "
    "created_at) VALUES (:event_id, :topic, :partition_key, :shard, :sequence, :event_type, :headers, "
    ":payload, :created_at)"
)
_ORDERS_OF = "SELECT order_id, detail FROM orders WHERE channel = ? AND order_id IN"
_ORDERS = (
    f"INSERT INTO orders ({', '.join(ORDERS_WRITE)}) VALUES ({', '.join('?' * len(ORDERS_WRITE))})"
    + ORDERS_ON_CONFLICT
)
_HISTORY = (
    f"INSERT INTO order_history ({', '.join(HISTORY_WRITE)}) VALUES ({', '.join('?' * len(HISTORY_WRITE))})"
)
_PENDING = (
    "SELECT id, shard, topic, partition_key, headers, payload, "
    + time.epoch_ms("created_at")
    + " FROM outbox WHERE published_at IS NULL{shards}{exclude} ORDER BY id LIMIT :limit"
)
_BY_SHARD = " AND shard IN (SELECT value FROM json_each(:shards))"
_EXCLUDING = " AND id NOT IN (SELECT value FROM json_each(:exclude))"


def driver(conn: Connection) -> sqlite3.Connection:
    """The sqlite3 connection, inside a transaction: after a unit of work's commit SQLAlchemy begins the
    next one only for statements that pass through it."""
    if not conn.in_transaction():
        conn.begin()
    raw: sqlite3.Connection = conn.connection.driver_connection  # type: ignore[assignment]
    return raw


@cache
def _values(rows: int, width: int) -> str:
    one = "(" + ",".join("?" * width) + ")"
    return ",".join([one] * rows)


def insert_returning(
    raw: sqlite3.Connection, sql: tuple[str, str], rows: Sequence[Sequence[Any]]
) -> list[Any]:
    """`head VALUES (...), (...) tail` in chunks; the RETURNING rows of all chunks."""
    head, tail = sql
    found: list[Any] = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        params = [value for row in chunk for value in row]
        found.extend(raw.execute(f"{head} VALUES {_values(len(chunk), len(chunk[0]))} {tail}", params))
    return found


def insert_inbox(conn: Connection, rows: Sequence[tuple[Any, ...]]) -> list[tuple[int, str, str]]:
    values = []
    for v in rows:  # what the UTC and JSON column types would bind
        row = list(v)
        row[_RECEIVED_AT] = time.to_text(row[_RECEIVED_AT])
        if row[_HEADERS] is not None:
            row[_HEADERS] = json_text(row[_HEADERS])
        values.append(row)
    return insert_returning(driver(conn), _INBOX, values)


def bump_sequences(conn: Connection, counts: Sequence[tuple[str, int]]) -> dict[str, int]:
    return dict(insert_returning(driver(conn), _SEQUENCES, counts))


def append_outbox(conn: Connection, rows: list[dict[str, Any]], created_at: datetime) -> None:
    at = time.to_text(created_at)
    for r in rows:  # what the JSON and UTC column types would bind
        r["headers"], r["created_at"] = json_text(r["headers"]), at
    driver(conn).executemany(_OUTBOX, rows)


def load_orders(conn: Connection, keys: Sequence[tuple[str, str]]) -> list[tuple[str, str, Any]]:
    """Per channel, `channel = ? AND order_id IN (...)`: the primary key's index (see hub/store/pairs.py)."""
    raw, found = driver(conn), list[tuple[str, str, Any]]()
    for channel, group in groupby(sorted(set(keys)), key=itemgetter(0)):
        ids = [order_id for _, order_id in group]
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            sql = f"{_ORDERS_OF} ({_values(1, len(chunk))[1:-1]})"
            found.extend((channel, o, orjson.loads(d)) for o, d in raw.execute(sql, [channel, *chunk]))
    return found


def save_orders(conn: Connection, rows: Sequence[tuple[Any, ...]], updated_at: datetime) -> None:
    at = time.to_text(updated_at)
    # What the JSON and UTC column types would bind.
    values = [(c, o, a, s, json_text(d), time.to_text(when), at) for c, o, a, s, d, when in rows]
    driver(conn).executemany(_ORDERS, values)


def record_history(conn: Connection, rows: Sequence[tuple[Any, ...]], recorded_at: datetime) -> None:
    at = time.to_text(recorded_at)
    values = [(*r[:4], time.to_text(r[4]), *r[5:], at) for r in rows]  # r[4]: occurred_at
    driver(conn).executemany(_HISTORY, values)


def pending_outbox(
    conn: Connection, limit: int, shards: Sequence[int] | None, exclude: Collection[int]
) -> list[tuple[Any, ...]]:
    params: dict[str, object] = {"limit": limit}
    if shards is not None:
        params["shards"] = orjson.dumps(list(shards)).decode()
    if exclude:
        params["exclude"] = orjson.dumps(list(exclude)).decode()
    sql = _PENDING.format(
        shards=_BY_SHARD if shards is not None else "", exclude=_EXCLUDING if exclude else ""
    )
    return driver(conn).execute(sql, params).fetchall()


def mark_published(conn: Connection, ids: Sequence[int], at: datetime) -> None:
    stamp = time.to_text(at)
    driver(conn).executemany("UPDATE outbox SET published_at = ? WHERE id = ?", [(stamp, i) for i in ids])
