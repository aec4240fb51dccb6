"""The handlers of the consumer groups that ship with the hub, declared in hub/consumers/groups/."""

from __future__ import annotations

from hub.clock import utcnow
from hub.events import Event
from hub.store import UnitOfWork


def audit(event: Event, uow: UnitOfWork) -> None:
    """Keep a row per event: what the hub published, in order."""
    uow.audit_log.record("audit", event, utcnow())


def order_state(event: Event, uow: UnitOfWork) -> None:
    """Each order's latest known state."""
    uow.order_views.apply(event, utcnow())


def channel_sync(event: Event, uow: UnitOfWork) -> None:
    """Each SKU's available-to-sell per channel, from stock events in version order."""
    from hub.commerce.channel_sync import apply_event
    from hub.commerce.settings import current_policy

    apply_event(uow, current_policy(), event, utcnow())
