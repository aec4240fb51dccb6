"""Every event type by name, and the topics they are published to."""

from __future__ import annotations

from hub.events.base import EventData
from hub.events.checkout import CHECKOUT_EVENTS
from hub.events.orders import (
    OrderAllocated,
    OrderCancelled,
    OrderDelivered,
    OrderFulfilled,
    OrderPaid,
    OrderPlaced,
    OrderReturned,
    OrderShipped,
    ReturnInitiated,
)
from hub.events.stock import InventoryAdjusted, InventoryReservationChanged, ListingStatusChanged

_ALL: tuple[type[EventData], ...] = (
    OrderPlaced,
    OrderPaid,
    OrderAllocated,
    OrderFulfilled,
    OrderShipped,
    OrderDelivered,
    OrderCancelled,
    ReturnInitiated,
    OrderReturned,
    InventoryAdjusted,
    InventoryReservationChanged,
    ListingStatusChanged,
    *CHECKOUT_EVENTS,
)
EVENT_TYPES: dict[str, type[EventData]] = {cls.TYPE: cls for cls in _ALL}

TOPICS: tuple[str, ...] = tuple(sorted({cls.TOPIC for cls in EVENT_TYPES.values()}))


class UnknownEventType(KeyError):
    pass


def event_class(name: str) -> type[EventData]:
    try:
        return EVENT_TYPES[name]
    except KeyError:
        raise UnknownEventType(f"unknown event type {name!r}; known: {', '.join(EVENT_TYPES)}") from None


def dataschema_uri(cls: type[EventData]) -> str:
    """`urn:hub:event:OrderPaid:v1` for version 1.0, `...:v1.2` for 1.2: what a consumer reads first."""
    minor = f".{cls.MINOR}" if cls.MINOR else ""
    return f"urn:hub:event:{cls.TYPE}:v{cls.VERSION}{minor}"
