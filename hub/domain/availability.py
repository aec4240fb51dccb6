"""What each channel may sell, and the per-SKU order in which a consumer may believe stock events. No I/O.

A SKU's events (InventoryAdjusted, InventoryReservationChanged) carry absolute values (on hand at a
location, units reserved) and the SKU's version (its sequence). A consumer applies them strictly in
version order: a gap or an inversion holds the SKU, its later events wait, until the missing one arrives
or an operator releases it; a version at or below the last applied one is late or replayed and moves
nothing. While a SKU is held the consumer tells no channel anything new: what it knows is not a state the
SKU was ever in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hub.domain.policy import InventoryPolicy


@dataclass
class SkuView:
    """A SKU as a consumer has applied its events: on hand per location, units reserved, the version."""

    sku: str
    version: int = 0
    on_hand: dict[str, int] = field(default_factory=dict)
    reserved: int = 0
    held: dict[int, dict[str, Any]] = field(default_factory=dict)  # version -> the event's data, waiting
    occurred_at: str | None = None  # when the newest applied event happened at its source

    def apply(self, event_type: str, data: Mapping[str, Any]) -> None:
        self.occurred_at = data.get("occurred_at", self.occurred_at)
        if event_type == "InventoryAdjusted":
            self.on_hand[data["location"]] = data["on_hand"]
        elif event_type == "InventoryReservationChanged":
            self.reserved = data["reserved"]

    @property
    def is_held(self) -> bool:
        return bool(self.held)


@dataclass(frozen=True, slots=True)
class Admitted:
    """What one delivered event did: the versions applied (in order), or why nothing was."""

    applied: tuple[int, ...]
    note: str = ""


def admit(view: SkuView, version: int, event_type: str, data: Mapping[str, Any]) -> Admitted:
    """Apply the event if it is the next version, then any held ones it unblocks; hold it if versions are
    missing before it; drop it if it is not newer than what was applied."""
    if version <= view.version or version in view.held:
        return Admitted((), f"version {version} is not newer than {view.version}: late or replayed")
    if version > view.version + 1:
        view.held[version] = {"type": event_type, "data": dict(data)}
        return Admitted((), f"version {view.version + 1} is missing: held")
    view.apply(event_type, data)
    view.version = version
    return Admitted((version, *_drain(view)))


def release(view: SkuView) -> tuple[int, ...]:
    """An operator's decision that the missing versions will not come: go on from the first held one."""
    if not view.held:
        return ()
    view.version = min(view.held) - 1
    return _drain(view)


def _drain(view: SkuView) -> tuple[int, ...]:
    applied = []
    while view.version + 1 in view.held:
        waiting = view.held.pop(view.version + 1)
        view.apply(waiting["type"], waiting["data"])
        view.version += 1
        applied.append(view.version)
    return tuple(applied)


def position(on_hand: Mapping[str, int], locations: list[str], reserved: int, safety: int) -> int:
    """Units the merchant could still promise from `locations`; below zero when oversold or backordered."""
    return sum(on_hand.get(location, 0) for location in locations) - reserved - safety


def offers(view: SkuView, policy: InventoryPolicy) -> dict[str, int]:
    """Available-to-sell per channel: on hand at its locations, minus reserved, minus safety stock, minus
    its buffer; never below zero (a negative position is told as zero)."""
    safety = policy.safety_stock.of(view.sku)
    return {
        channel: max(
            0,
            position(view.on_hand, policy.channel_locations(channel), view.reserved, safety) - spec.buffer,
        )
        for channel, spec in policy.channels.items()
    }
