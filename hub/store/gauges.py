"""Counts an operator watches: open quarantine entries, the outbox's unpublished rows and their age."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from hub.store.repository import Repository
from hub.store.tables import outbox, quarantine


class Gauges(Repository):
    def open_quarantine(self) -> int:
        query = select(func.count()).select_from(quarantine).where(quarantine.c.resolved_at.is_(None))
        return int(self.conn.execute(query).scalar_one())

    def outbox_pending(self) -> tuple[int, datetime | None]:
        """How many rows wait for the relay, and when the oldest of them was committed."""
        query = select(func.count(), func.min(outbox.c.created_at)).where(outbox.c.published_at.is_(None))
        count, oldest = self.conn.execute(query).one()
        if isinstance(oldest, str):  # SQLite hands an aggregate back as text, past the column's type
            oldest = datetime.fromisoformat(oldest).replace(tzinfo=UTC)
        return int(count), oldest
