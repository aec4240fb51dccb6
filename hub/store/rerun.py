"""What a re-normalization of a date range reads: stored payloads by when they were received."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import ColumnElement, select

from hub.store.repository import Repository
from hub.store.tables import inbox, outbox, quarantine


def _received(start: datetime, end: datetime, connector: str | None) -> list[ColumnElement[bool]]:
    where = [inbox.c.received_at >= start, inbox.c.received_at < end]
    if connector:
        where.append(inbox.c.connector == connector)
    return where


class Rerun(Repository):
    def open_quarantine_ids(self, start: datetime, end: datetime, connector: str | None) -> list[int]:
        """Open quarantine entries whose payload was received in [start, end), oldest first."""
        query = (
            select(quarantine.c.id)
            .join(inbox, inbox.c.id == quarantine.c.inbox_id)
            .where(quarantine.c.resolved_at.is_(None), *_received(start, end, connector))
            .order_by(inbox.c.received_at, inbox.c.id)
        )
        return [int(i) for i in self.conn.execute(query).scalars()]

    def stored_ids(
        self, start: datetime, end: datetime, connector: str | None, statuses: Collection[str]
    ) -> list[int]:
        """Inbox rows received in [start, end) with one of `statuses`, oldest first."""
        query = (
            select(inbox.c.id)
            .where(inbox.c.status.in_(statuses), *_received(start, end, connector))
            .order_by(inbox.c.received_at, inbox.c.id)
        )
        return [int(i) for i in self.conn.execute(query).scalars()]

    def existing_event_ids(self, event_ids: Collection[str]) -> set[str]:
        if not event_ids:
            return set()
        query = select(outbox.c.event_id).where(outbox.c.event_id.in_(list(event_ids)))
        return set(self.conn.execute(query).scalars())
