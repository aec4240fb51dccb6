"""Consumer groups of the kind a user writes (see README: Your own consumer group), loaded through
HUB_CONSUMER_MODULES=tests.support.custom_groups."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, MetaData, String, Table, insert, select, update

from hub.consumers.registry import consumer_group
from hub.events import Event
from hub.store import UnitOfWork
from hub.store.repository import Repository

metadata = MetaData()
last_status = Table(
    "test_last_status",
    metadata,
    Column("order_key", String(255), primary_key=True),
    Column("event_type", String(64), nullable=False),
    Column("sequence", BigInteger, nullable=False),
    Column("times", BigInteger, nullable=False),
)


class LastStatus(Repository):
    def remember(self, event: Event) -> None:
        metadata.create_all(self.conn)
        key = last_status.c.order_key == event.partitionkey
        current = self.conn.execute(select(last_status.c.sequence).where(key)).scalar_one_or_none()
        if current is None:
            row = {"order_key": event.partitionkey, "event_type": event.type, "sequence": event.sequence}
            self.conn.execute(insert(last_status).values(times=1, **row))
            return
        values = {"event_type": event.type, "sequence": event.sequence} if event.sequence >= current else {}
        self.conn.execute(update(last_status).where(key).values(times=last_status.c.times + 1, **values))


@consumer_group("test-last-status", topics=("orders",), reapply=True)
def remember(event: Event, uow: UnitOfWork) -> None:
    """Each order's latest event type; `times` counts how often events of that order were applied."""
    uow.get(LastStatus).remember(event)


@consumer_group("test-failing", topics=("orders",))
def refuse(event: Event, uow: UnitOfWork) -> None:
    """Fails on every event: what `hub groups` shows as the group's last error."""
    raise RuntimeError(f"cannot apply {event.type} {event.partitionkey}")
