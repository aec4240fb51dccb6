"""Each consumer group's last failure, kept for `hub groups` until the group applies a batch again.

A repository of its own, reached as `uow.get(GroupErrors)`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from hub.store.repository import Repository
from hub.store.tables import consumer_group_errors


class GroupErrors(Repository):
    def note(self, group: str, error: str, at: datetime) -> None:
        stmt = self.backend.insert(consumer_group_errors).values(
            group_name=group, error=error[:2000], failed_at=at
        )
        changed = {"error": stmt.excluded.error, "failed_at": stmt.excluded.failed_at}
        self.conn.execute(stmt.on_conflict_do_update(index_elements=["group_name"], set_=changed))

    def clear(self, group: str) -> None:
        self.conn.execute(delete(consumer_group_errors).where(consumer_group_errors.c.group_name == group))

    def last(self) -> dict[str, tuple[str, datetime]]:
        rows = self.conn.execute(select(consumer_group_errors))
        return {r.group_name: (r.error, r.failed_at) for r in rows}
