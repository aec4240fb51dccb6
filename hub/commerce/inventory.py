"""Inventory services: a person's adjustment, one SKU as the hub knows it, and reconciliation.

`reconcile_inventory` is the entry point for the orchestrator's reconciliation job (Dagster): it compares
what each channel was last told with what the ledger and reservations say now, and queues a push where
they differ (a push that was lost, a channel whose quantity someone changed by hand)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from hub.clock import utcnow
from hub.domain.availability import SkuView, offers, position
from hub.domain.errors import DomainRefused
from hub.domain.policy import InventoryPolicy
from hub.events import Event
from hub.events.stock import InventoryAdjusted
from hub.intake.emit import Origin, write_events
from hub.mapping.drafts import draft_model
from hub.mapping.result import Draft
from hub.store import Store
from hub.store.channel_sync import ChannelSync
from hub.store.stock import Stock

Reason = Literal["receipt", "manual", "correction", "damage", "return", "restock", "transfer"]
REASONS: tuple[str, ...] = Reason.__args__  # type: ignore[attr-defined]


def adjust(
    store: Store,
    policy: InventoryPolicy,
    sku: str,
    location: str,
    *,
    delta: int | None = None,
    on_hand: int | None = None,
    reason: Reason = "manual",
) -> Event | None:
    """A person's adjustment (`hub inventory adjust`): a delta or an absolute level, as an
    InventoryAdjusted event in the SKU's order. None when an absolute level changes nothing."""
    if (delta is None) == (on_hand is None):
        raise ValueError("give either --delta or --on-hand")
    now = utcnow()
    fields = {"occurred_at": now, "reason": reason, "sku": sku, "location": location}
    data = draft_model(InventoryAdjusted).model_validate({**fields, "delta": delta, "on_hand": on_hand})
    draft = Draft(json=data.model_dump(mode="json"), event=InventoryAdjusted, local_id="adjust")
    origin = Origin(0, "hub", f"adjust-{uuid.uuid4()}", None)
    with store.unit_of_work() as uow:
        result, events = write_events(uow, [(origin, [draft])], now, policy)
        if isinstance(result[0], str):
            raise DomainRefused(result[0])
        uow.commit()
    return events[0] if events else None


def show_sku(store: Store, policy: InventoryPolicy, sku: str) -> dict[str, Any]:
    """The SKU as the hub knows it: levels per location (with the version that set each), reservations,
    the position channels sell from, the channel-sync view (held or not), and per channel what it should
    be told, what it was last told, when, and how long after the stock event."""
    with store.read_only() as uow:
        levels = uow.ledger.of_sku(sku)
        stock = uow.get(Stock)
        reserved = stock.reserved([sku])[sku]
        reservations = stock.active_reservations(sku)
        barrier = stock.barriers([sku]).get(sku)
        sync = uow.get(ChannelSync)
        row = sync.views([sku]).get(sku)
        told = {r.channel: r for r in sync.of_sku(sku)}
    safety = policy.safety_stock.of(sku)
    on_hand = {level.location: level.on_hand for level in levels}
    now_offers = offers(SkuView(sku, 0, on_hand, reserved), policy)
    channels = []
    for name, spec in policy.channels.items():
        t = told.get(name)
        channels.append(
            {
                "channel": name,
                "buffer": spec.buffer,
                "push": spec.push,
                "available_now": now_offers[name],
                "to_tell": t.quantity if t else None,
                "to_tell_version": t.version if t else None,
                "last_pushed": t.pushed_quantity if t else None,
                "last_pushed_version": t.pushed_version if t else None,
                "last_pushed_at": t.pushed_at.isoformat() if t and t.pushed_at else None,
                "lag_ms": t.lag_ms if t else None,
                "last_error": t.last_error if t else None,
            }
        )
    return {
        "sku": sku,
        "levels": [
            {
                "location": level.location,
                "on_hand": level.on_hand,
                "version": level.version,
                "sellable": level.location in policy.sellable(),
                "updated_at": level.updated_at.isoformat(),
            }
            for level in levels
        ],
        "reserved": reserved,
        "reservations": [{"id": r.reservation_id, "quantity": r.quantity} for r in reservations],
        "safety_stock": safety,
        "position": position(on_hand, policy.locations, reserved, safety),
        "zero_barrier_version": barrier,
        "sync": {
            "version": row.view.version if row else 0,
            "held": sorted(row.view.held) if row else [],
            "held_since": row.held_since.isoformat() if row and row.held_since else None,
        },
        "channels": channels,
    }


@dataclass
class Reconciled:
    checked: int = 0
    requeued: dict[str, dict[str, tuple[int | None, int]]] = field(
        default_factory=dict
    )  # sku -> ch -> (was, now)
    held: list[str] = field(default_factory=list)
    barriers: list[str] = field(default_factory=list)


def reconcile_inventory(store: Store, policy: InventoryPolicy, *, limit: int = 100_000) -> Reconciled:
    """Compare each channel's last told quantity with the ledger's truth; queue a push where they differ.
    Held SKUs are left to the operator (`hub inventory release`) and reported."""
    report = Reconciled()
    now = utcnow()
    with store.unit_of_work() as uow:
        sync = uow.get(ChannelSync)
        stock = uow.get(Stock)
        skus = uow.ledger.skus(limit=limit)
        reserved = stock.reserved(skus)
        barriers = stock.barriers(skus)
        views = sync.views(skus)
        for sku in skus:
            report.checked += 1
            if sku in barriers:
                report.barriers.append(sku)
            row = views.get(sku)
            if row is not None and row.view.is_held:
                report.held.append(sku)
                continue
            levels = uow.ledger.of_sku(sku)
            truth = offers(SkuView(sku, 0, {lv.location: lv.on_hand for lv in levels}, reserved[sku]), policy)
            told = {r.channel: r for r in sync.of_sku(sku)}
            version = max([lv.version for lv in levels] + [row.view.version if row else 0])
            wrong = {
                c: (told[c].pushed_quantity if c in told else None, q)
                for c, q in truth.items()
                if policy.channels[c].push and (c not in told or told[c].pushed_quantity != q)
            }
            if wrong:
                report.requeued[sku] = wrong
                sync.requeue(sku, {c: q for c, (_, q) in wrong.items()}, version, now)
        uow.commit()
    return report
