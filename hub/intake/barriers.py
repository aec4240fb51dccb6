"""The zero barrier: when a SKU's available-to-sell reaches zero, no new reservation of it is accepted until
every channel has been told a quantity computed at that version or later (channel sync lowers it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from hub.domain.availability import position
from hub.domain.policy import InventoryPolicy
from hub.events import Event
from hub.events.stock import InventoryAdjusted, InventoryReservationChanged
from hub.store import UnitOfWork
from hub.store.stock import Stock


def raise_zero_barriers(
    uow: UnitOfWork, policy: InventoryPolicy, events: Sequence[Event], now: datetime
) -> None:
    """In the transaction that commits `events`: a barrier for each SKU they took to zero or below."""
    if not policy.channels or not policy.locations:
        return  # no channel to tell
    sellable = set(policy.locations)
    touched: dict[str, int] = {}
    for event in events:
        if event.type == InventoryReservationChanged.TYPE or (
            event.type == InventoryAdjusted.TYPE and event.data["location"] in sellable
        ):
            touched[event.partitionkey] = max(touched.get(event.partitionkey, 0), event.sequence)
    if not touched:
        return
    stock = uow.get(Stock)
    on_hand = stock.on_hand(touched, policy.locations)
    reserved = stock.reserved(touched)
    for sku, version in sorted(touched.items()):
        left = position({"*": on_hand[sku]}, ["*"], reserved[sku], policy.safety_stock.of(sku))
        if left <= 0:
            stock.raise_barrier(sku, version, now)
