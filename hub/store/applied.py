"""Per-group record of applied events: claiming an event and applying it share one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnClause, Connection, any_, delete, func, literal_column, select, tuple_

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
    oldest = consumer_inbox.c.applied_at < cutoff
    if conn.dialect.name == "postgresql":
        # By physical row address: a join on the two-column key lets the planner hash the whole table
        # for every batch. SKIP LOCKED: two cleaners at once take different rows.
        ctid: ColumnClause[Any] = literal_column("ctid")
        batch = select(ctid).where(oldest).order_by(consumer_inbox.c.applied_at).limit(limit)
        batch = batch.with_for_update(skip_locked=True)
        stmt = delete(consumer_inbox).where(ctid == any_(func.array(batch.scalar_subquery())))
    else:
        key = tuple_(consumer_inbox.c.group_name, consumer_inbox.c.event_id)
        batch = select(*key.clauses).where(oldest).order_by(consumer_inbox.c.applied_at).limit(limit)
        stmt = delete(consumer_inbox).where(key.in_(batch))
    return conn.execute(stmt).rowcount or 0
