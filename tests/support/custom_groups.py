"""A consumer group of the kind a user writes (see README: Your own consumer group), loaded through
HUB_CONSUMER_MODULES=tests.support.custom_groups."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Connection, MetaData, String, Table, insert, select, update

from hub.consumers.registry import consumer_group
from hub.events import Event

metadata = MetaData()
last_status = Table(
    "test_last_status",
    metadata,
    Column("order_key", String(255), primary_key=True),
    Column("event_type", String(64), nullable=False),
    Column("sequence", BigInteger, nullable=False),
    Column("times", BigInteger, nullable=False),
)


@consumer_group("test-last-status", topics=("orders",), reapply=True)
def remember(event: Event, conn: Connection) -> None:
    """Each order's latest event type; `times` counts how often events of that order were applied."""
    metadata.create_all(conn)
    key = last_status.c.order_key == event.partitionkey
    current = conn.execute(select(last_status.c.sequence).where(key)).scalar_one_or_none()
    if current is None:
        conn.execute(
            insert(last_status).values(
                order_key=event.partitionkey, event_type=event.type, sequence=event.sequence, times=1
            )
        )
        return
    values = {"event_type": event.type, "sequence": event.sequence} if event.sequence >= current else {}
    conn.execute(update(last_status).where(key).values(times=last_status.c.times + 1, **values))


@consumer_group("test-failing", topics=("orders",))
def refuse(event: Event, conn: Connection) -> None:
    """Fails on every event: what `hub groups` shows as the group's last error."""
    raise RuntimeError(f"cannot apply {event.type} {event.partitionkey}")
