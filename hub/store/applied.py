"""Per-group record of applied events: claiming an event and applying it share one unit of work."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select

from hub.store.repository import Repository
from hub.store.tables import consumer_inbox


class Applied(Repository):
    def claim(self, group: str, event_ids: Sequence[str], at: datetime) -> set[str]:
        """Insert claims for the events this group has not applied yet; return the newly claimed ids."""
        if not event_ids:
            return set()
        return self.backend.claim_events(self.conn, group, event_ids, at)

    def claimed(self, group: str, event_ids: Sequence[str]) -> set[str]:
        """Which of `event_ids` this group has claimed already (read only: nothing is claimed here)."""
        found: set[str] = set()
        unique = list(dict.fromkeys(event_ids))
        for start in range(0, len(unique), 500):
            query = select(consumer_inbox.c.event_id).where(
                consumer_inbox.c.group_name == group,
                consumer_inbox.c.event_id.in_(unique[start : start + 500]),
            )
            found.update(self.conn.execute(query).scalars())
        return found

    def count(self, group: str) -> int:
        query = select(func.count()).select_from(consumer_inbox).where(consumer_inbox.c.group_name == group)
        return int(self.conn.execute(query).scalar_one())

    def delete_applied_before(self, cutoff: datetime, limit: int) -> int:
        """Delete up to `limit` claims older than `cutoff`, oldest first through the applied_at index."""
        return self.backend.delete_oldest(
            self.conn,
            consumer_inbox,
            consumer_inbox.c.applied_at < cutoff,
            consumer_inbox.c.applied_at,
            limit,
        )
