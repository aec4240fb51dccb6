"""Reserving stock for a checkout, and giving it back or handing it to the order. Each change is an
InventoryReservationChanged event in the SKU's order, committed with the reservation row in the caller's
unit of work; calling any of these again for the same reservation changes nothing (idempotent)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Literal

from hub.domain.availability import position
from hub.domain.errors import DomainRefused
from hub.domain.policy import InventoryPolicy
from hub.events.stock import InventoryReservationChanged
from hub.intake.emit import Origin, commit_drafts
from hub.mapping.drafts import draft_model
from hub.mapping.result import Draft
from hub.store import UnitOfWork
from hub.store.stock import Stock


class OutOfStock(DomainRefused):
    pass


class SoldOutBarrier(OutOfStock):
    """The SKU reached zero and not every channel has been told yet."""


def reserve(
    uow: UnitOfWork,
    policy: InventoryPolicy,
    reservation_id: str,
    lines: Mapping[str, int],
    now: datetime,
    *,
    channel: str = "webshop",
) -> None:
    """Hold `lines` (SKU -> units) for `reservation_id`, or raise OutOfStock naming the SKU that is short."""
    stock = uow.get(Stock)
    if stock.reservation(reservation_id):
        return  # reserved before (a retry): the rows and their events exist
    locations = policy.channel_locations(channel)
    uow.ledger.levels((sku, location) for sku in lines for location in locations)  # lock the SKUs
    barriers = stock.barriers(lines)
    on_hand = stock.on_hand(lines, locations)
    reserved = stock.reserved(lines)
    for sku, units in sorted(lines.items()):
        if sku in barriers:
            raise SoldOutBarrier(f"{sku} reached zero; channels are being told before new reservations")
        left = position({"*": on_hand[sku]}, ["*"], reserved[sku], policy.safety_stock.of(sku))
        if units > left:
            raise OutOfStock(f"{sku}: {units} wanted, {max(left, 0)} available")
    stock.add_reservation(reservation_id, dict(lines), channel, now)
    _publish(uow, policy, reservation_id, "reserved", dict(lines), channel, now)


def end(
    uow: UnitOfWork,
    policy: InventoryPolicy,
    reservation_id: str,
    change: Literal["released", "consumed"],
    now: datetime,
) -> int:
    """Release (the checkout failed) or consume (its order took the units) what is still held; the
    number of lines that changed (0 when done before)."""
    stock = uow.get(Stock)
    rows = stock.reservation(reservation_id)
    uow.ledger.levels((row.sku, loc) for row in rows for loc in policy.channel_locations(row.channel or ""))
    ended = stock.end_reservation(reservation_id, change, now)
    if ended:
        channel = ended[0].channel or "webshop"
        _publish(uow, policy, reservation_id, change, {r.sku: r.quantity for r in ended}, channel, now)
    return len(ended)


def _publish(
    uow: UnitOfWork,
    policy: InventoryPolicy,
    reservation_id: str,
    change: Literal["reserved", "released", "consumed"],
    lines: dict[str, int],
    channel: str,
    now: datetime,
) -> None:
    reserved = uow.get(Stock).reserved(lines)
    model = draft_model(InventoryReservationChanged)
    drafts = [
        Draft(
            json=model.model_validate(
                {
                    "occurred_at": now,
                    "sku": sku,
                    "reservation_id": reservation_id,
                    "change": change,
                    "quantity": units,
                    "reserved": reserved[sku],
                    "channel": channel,
                }
            ).model_dump(mode="json"),
            event=InventoryReservationChanged,
            local_id=f"{change}>{sku}",
        )
        for sku, units in sorted(lines.items())
    ]
    origin = Origin(0, "checkout", f"{reservation_id}>{change}", None)
    commit_drafts(uow, [(origin, drafts)], now, policy)
