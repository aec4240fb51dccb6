"""Outbox rows: events committed with the state change that caused them, waiting for the relay."""

from __future__ import annotations

import zlib
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

import orjson
from sqlalchemy import func, select

from hub.events import Event
from hub.store.repository import Repository
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
        "headers": event.header_text(),  # (name, value) pairs: JSON writes each as an array
        "payload": event.data_bytes(),
        "created_at": created_at,
    }


class Outbox(Repository):
    def append(self, events: Sequence[Event], created_at: datetime) -> None:
        """Write events in this unit of work: they commit with the state change that caused them."""
        if events:
            self.backend.append_outbox(self.conn, [row(e, created_at) for e in events], created_at)

    def pending(
        self, limit: int, shards: Sequence[int] | None = None, exclude: Collection[int] = ()
    ) -> list[PendingRow]:
        """Unpublished rows in id order, leaving out the ids in `exclude` (rows read ahead while an earlier
        batch is still being published). Selecting on the published flag (not on an id watermark) means a
        row whose transaction committed late is still found."""
        return [PendingRow(*r) for r in self.backend.pending_outbox(self.conn, limit, shards, exclude)]

    def mark_published(self, ids: Sequence[int], at: datetime) -> None:
        if ids:
            self.backend.mark_published(self.conn, ids, at)

    def backlog(self) -> int:
        return int(
            self.conn.execute(select(func.count()).where(outbox.c.published_at.is_(None))).scalar_one()
        )

    def oldest_pending(self) -> datetime | None:
        """When the oldest event that is not yet published was written; None when none waits."""
        oldest: datetime | None = self.conn.execute(
            select(outbox.c.created_at).where(outbox.c.published_at.is_(None)).order_by(outbox.c.id).limit(1)
        ).scalar_one_or_none()
        return oldest

    def delete_published_before(self, cutoff: datetime, limit: int) -> int:
        """Delete up to `limit` rows published before `cutoff`, oldest first through the published_at
        index: a scan in table order would wade through the rows deleted by earlier batches again."""
        return self.backend.delete_oldest(
            self.conn, outbox, outbox.c.published_at < cutoff, outbox.c.published_at, limit
        )
