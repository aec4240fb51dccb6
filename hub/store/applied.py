"""Per-group record of applied events: claiming an event and applying it share one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, delete, select, tuple_

from hub.store.dialect import insert
from hub.store.tables import consumer_inbox


def claim(conn: Connection, group: str, event_ids: Sequence[str], at: datetime) -> set[str]:
    """Insert claims for the events this group has not applied yet; return the newly claimed ids."""
    if not event_ids:
        return set()
    stmt = (
        insert(conn, consumer_inbox)
        .on_conflict_do_nothing(index_elements=["group_name", "event_id"])
        .returning(consumer_inbox.c.event_id)
    )
    unique_ids = list(dict.fromkeys(event_ids))
    rows = conn.execute(stmt, [{"group_name": group, "event_id": e, "applied_at": at} for e in unique_ids])
    return {r[0] for r in rows.all()}


def applied_count(conn: Connection, group: str) -> int:
    return len(
        conn.execute(select(consumer_inbox.c.event_id).where(consumer_inbox.c.group_name == group)).all()
    )


def delete_applied_before(conn: Connection, cutoff: datetime, limit: int) -> int:
    """Delete up to `limit` claims older than `cutoff`; found through the applied_at index."""
    oldest = select(consumer_inbox.c.group_name, consumer_inbox.c.event_id).where(
        consumer_inbox.c.applied_at < cutoff
    )
    if conn.dialect.name == "postgresql":
        # Two cleaners at once take different rows instead of waiting for each other's.
        oldest = oldest.with_for_update(skip_locked=True)
    key = tuple_(consumer_inbox.c.group_name, consumer_inbox.c.event_id)
    return conn.execute(delete(consumer_inbox).where(key.in_(oldest.limit(limit)))).rowcount or 0
