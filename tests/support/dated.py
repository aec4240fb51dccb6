"""Events with chosen event times, committed the way intake commits them and published by the relay:
what replay and its backfills select by day."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from hub.broker.port import Broker
from hub.clock import utcnow
from hub.consumers.registry import GroupSpec
from hub.events import TOPICS, Event
from hub.events.orders import OrderPaid
from hub.intake.emit import Origin, commit_drafts
from hub.mapping.result import Draft
from hub.relay import Relay
from hub.store import Store, UnitOfWork
from hub.store.tables import audit_log

FIRST_DAY = datetime(2026, 3, 1, tzinfo=UTC)
_deliveries = itertools.count(1)


def day(n: int) -> datetime:
    return FIRST_DAY + timedelta(days=n)


def commit_days(
    store: Store, per_day: Sequence[int], *, committed_at: datetime | None = None
) -> dict[str, datetime]:
    """`per_day[n]` events on day n (spread over the day, several keys); returns event id -> event time."""
    made: dict[str, datetime] = {}
    with store.unit_of_work() as uow:
        items = []
        for n, count in enumerate(per_day):
            for i in range(count):
                at = day(n) + timedelta(minutes=1 + i * (1430 // max(count, 1)))
                d = next(_deliveries)
                data = OrderPaid(
                    occurred_at=at, channel="shop", order_id=f"D{n}-{i % 3}", channel_status="PAID"
                )
                items.append(
                    (
                        Origin(d, "shop", f"dated-{d}", None),
                        [Draft(data=data, local_id="order", event=OrderPaid)],
                    )
                )
        # As mapped, without the order state machine: several payments of one order all reach the log.
        commit_drafts(uow, items, committed_at or utcnow(), lifecycle=False)
        uow.commit()
    from hub.store.tables import outbox

    with store.transaction() as conn:
        for event_id, headers in conn.execute(select(outbox.c.event_id, outbox.c.headers)):
            made[event_id] = datetime.fromisoformat(dict(headers)["ce_time"]).astimezone(UTC)
    return made


def publish(store: Store, broker: Broker) -> int:
    return Relay(store, broker).drain()


def audited(store: Store, group: str) -> list[str]:
    """Event ids the group applied, one row per application (a double apply shows twice)."""
    with store.transaction() as conn:
        return [
            r[0] for r in conn.execute(select(audit_log.c.event_id).where(audit_log.c.group_name == group))
        ]


def audit_into(name: str) -> GroupSpec:
    """A group whose effect is one audit_log row under its own name per applied event."""

    def handler(event: Event, uow: UnitOfWork) -> None:
        uow.audit_log.record(name, event, utcnow())

    handler.__doc__ = f"Test group {name}: an audit_log row per event."
    return GroupSpec(name, TOPICS, handler, "test group")
