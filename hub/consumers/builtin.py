"""Consumer groups that ship with the hub."""

from __future__ import annotations

from hub.clock import utcnow
from hub.consumers.registry import consumer_group
from hub.events import TOPICS, Event
from hub.store import UnitOfWork


@consumer_group("audit", topics=TOPICS, description="Keep a row per event: what the hub published, in order.")
def audit(event: Event, uow: UnitOfWork) -> None:
    uow.audit_log.record("audit", event, utcnow())


@consumer_group("order-view", topics=("orders",), description="Each order's latest known state.")
def order_state(event: Event, uow: UnitOfWork) -> None:
    uow.order_views.apply(event, utcnow())


@consumer_group(
    "channel-sync",
    topics=("inventory",),
    description="Each SKU's available-to-sell per channel, from stock events in version order.",
)
def channel_sync(event: Event, uow: UnitOfWork) -> None:
    from hub.commerce.channel_sync import apply_event
    from hub.commerce.settings import current_policy

    apply_event(uow, current_policy(), event, utcnow())
