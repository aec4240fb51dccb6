"""Quarantine rows: why a kept payload did not become events, until it does."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update

from hub.store.repository import Repository
from hub.store.tables import inbox, quarantine


@dataclass(frozen=True, slots=True)
class QuarantineEntry:
    id: int
    inbox_id: int
    connector: str
    mapping: str | None
    reason: str
    detail: dict[str, Any] | None
    quarantined_at: datetime
    attempts: int
    last_attempt_at: datetime
    resolved_at: datetime | None


class Quarantine(Repository):
    def add(self, rows: Sequence[dict[str, Any]], at: datetime) -> None:
        if rows:
            self.conn.execute(
                insert(quarantine),
                [{**r, "quarantined_at": at, "last_attempt_at": at, "attempts": 1} for r in rows],
            )

    def open_entries(self, connector: str | None = None, limit: int | None = None) -> list[QuarantineEntry]:
        query = select(quarantine).where(quarantine.c.resolved_at.is_(None)).order_by(quarantine.c.id)
        if connector:
            query = query.where(quarantine.c.connector == connector)
        if limit:
            query = query.limit(limit)
        return [QuarantineEntry(**r) for r in self.conn.execute(query).mappings().all()]

    def get(self, entry_id: int) -> QuarantineEntry | None:
        row = self.conn.execute(select(quarantine).where(quarantine.c.id == entry_id)).mappings().first()
        return QuarantineEntry(**row) if row else None

    def of_delivery(self, inbox_id: int) -> QuarantineEntry | None:
        """The entry of one delivery (the `inbox_id` the receiver answered with)."""
        row = (
            self.conn.execute(select(quarantine).where(quarantine.c.inbox_id == inbox_id)).mappings().first()
        )
        return QuarantineEntry(**row) if row else None

    def lock_open(self, entry_id: int) -> QuarantineEntry | None:
        """Re-read an open entry inside the retry's unit of work, locked so that two retries never race."""
        query = select(quarantine).where(quarantine.c.id == entry_id, quarantine.c.resolved_at.is_(None))
        row = self.conn.execute(self.backend.lock(query)).mappings().first()
        return QuarantineEntry(**row) if row else None

    def resolve(self, entry_id: int, inbox_id: int, status: str, at: datetime) -> None:
        self.conn.execute(
            update(quarantine)
            .where(quarantine.c.id == entry_id)
            .values(resolved_at=at, last_attempt_at=at, attempts=quarantine.c.attempts + 1)
        )
        self.conn.execute(update(inbox).where(inbox.c.id == inbox_id).values(status=status))

    def still_failing(self, entry_id: int, reason: str, detail: dict[str, Any] | None, at: datetime) -> None:
        self.conn.execute(
            update(quarantine)
            .where(quarantine.c.id == entry_id)
            .values(reason=reason, detail=detail, last_attempt_at=at, attempts=quarantine.c.attempts + 1)
        )
