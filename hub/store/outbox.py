"""Outbox rows: events committed with the state change that caused them, waiting for the relay."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, Text, any_, cast, delete, func, insert, select, text, update

from hub.events import Event
from hub.events.envelope import EventRecord
from hub.jsonio import json_text
from hub.store import sqlite_fast
from hub.store.tables import outbox

SHARDS = 64


def shard_of(partition_key: str) -> int:
    return zlib.crc32(partition_key.encode()) % SHARDS


@dataclass(frozen=True, slots=True)
class PendingRow:
    id: int
    event_id: str
    topic: str
    partition_key: str
    headers: list[tuple[str, bytes]]
    payload: bytes
    created_at: datetime


def row(event: Event | EventRecord, created_at: datetime) -> dict[str, Any]:
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
    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def append(conn: Connection, events: Sequence[Event | EventRecord], created_at: datetime) -> None:
    if not events:
        return
    raw = sqlite_fast.driver(conn)
    if raw is not None:
        at = sqlite_fast.sqlite_time(created_at)
        raw.executemany(
            _SQLITE_APPEND,
            [
                (
                    e.id,
                    e.topic,
                    e.partitionkey,
                    shard_of(e.partitionkey),
                    e.sequence,
                    e.type,
                    json_text([[k, v] for k, v in e.header_text()]),
                    e.data_bytes(),
                    at,
                )
                for e in events
            ],
        )
        return
    conn.execute(insert(outbox), [row(e, created_at) for e in events])


def pending(conn: Connection, limit: int, shards: Sequence[int] | None = None) -> list[PendingRow]:
    """Unpublished rows in id order. Selecting on the published flag (not on an id watermark) means a
    row whose transaction committed late is still found."""
    query = (
        select(
            outbox.c.id,
            outbox.c.event_id,
            outbox.c.topic,
            outbox.c.partition_key,
            # As text, parsed by orjson below: the stdlib JSON decoder was a tenth of the relay's time.
            cast(outbox.c.headers, Text),
            outbox.c.payload,
            outbox.c.created_at,
        )
        .where(outbox.c.published_at.is_(None))
        .order_by(outbox.c.id)
        .limit(limit)
    )
    if shards is not None:
        query = query.where(outbox.c.shard.in_(list(shards)))
    return [
        PendingRow(r[0], r[1], r[2], r[3], [(k, v.encode()) for k, v in orjson.loads(r[4])], r[5], r[6])
        for r in conn.execute(query).all()
    ]


def mark_published(conn: Connection, ids: Sequence[int], at: datetime) -> None:
    if conn.dialect.name == "postgresql":
        # A mark lost in a database crash only makes the relay publish those rows again, which the
        # consumers' dedupe absorbs; so the mark need not wait for its WAL flush (one fsync per batch).
        conn.execute(text("SET LOCAL synchronous_commit = off"))
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        conn.execute(update(outbox).where(outbox.c.id.in_(chunk)).values(published_at=at))


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
