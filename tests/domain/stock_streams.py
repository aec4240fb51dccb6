"""Per-SKU stock histories (in version order) and the shuffled, duplicated deliveries of them."""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass
from typing import Any

from hub.domain.availability import SkuView, offers
from hub.domain.policy import ChannelSpec, InventoryPolicy, SafetyStock

POLICY = InventoryPolicy(
    locations=["main", "annex"],
    safety_stock=SafetyStock(default=1),
    channels={
        "walmart": ChannelSpec(buffer=2),
        "tiktok": ChannelSpec(buffer=0),
        "amazon": ChannelSpec(buffer=1, locations=["main"]),
    },
)
PARTITIONS = 4


@dataclass(frozen=True)
class StockEvent:
    sku: str
    version: int
    type: str
    data: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.sku}#{self.version}"


def random_changes(rng: random.Random, most: int) -> list[tuple[str, str, int]]:
    """1 to `most` changes of one SKU, drawn from `rng` (1,000 SKUs are too many for Hypothesis to draw
    one by one; it draws the generator, the shuffle and the duplicates)."""
    found: list[tuple[str, str, int]] = []
    for _ in range(rng.randint(1, most)):
        if rng.random() < 0.75:
            found.append(("InventoryAdjusted", rng.choice(["main", "annex", "fba:US"]), rng.randint(-5, 40)))
        else:
            found.append(("InventoryReservationChanged", "", rng.randint(0, 12)))
    return found


def history(sku: str, changes: list[tuple[str, str, int]]) -> list[StockEvent]:
    events = []
    for version, (kind, location, value) in enumerate(changes, 1):
        at = f"2026-12-01T00:{version // 60:02d}:{version % 60:02d}+00:00"
        if kind == "InventoryAdjusted":
            data = {"sku": sku, "location": location, "on_hand": value, "occurred_at": at}
        else:
            data = {"sku": sku, "reserved": value, "occurred_at": at}
        events.append(StockEvent(sku, version, kind, data))
    return events


def truth(events: list[StockEvent]) -> dict[tuple[str, int], dict[str, int]]:
    """Per (sku, version): what each channel may sell once versions 1..version are applied in order."""
    found: dict[tuple[str, int], dict[str, int]] = {}
    views: dict[str, SkuView] = {}
    for e in events:
        view = views.setdefault(e.sku, SkuView(e.sku))
        view.apply(e.type, e.data)
        view.version = e.version
        found[(e.sku, e.version)] = offers(view, POLICY)
    return found


def deliver(events: list[StockEvent], rng: random.Random, duplicates: float) -> list[StockEvent]:
    """Partitioned by SKU, each partition shuffled within itself (reordered with some locality), the
    partitions interleaved at random, and some events delivered again later."""
    partitions: list[list[StockEvent]] = [[] for _ in range(PARTITIONS)]
    for e in events:
        partitions[zlib.crc32(e.sku.encode()) % PARTITIONS].append(e)
    for part in partitions:
        keyed = sorted(((i + rng.uniform(0, 25), e) for i, e in enumerate(part)), key=lambda t: t[0])
        part[:] = [e for _, e in keyed]
    out: list[StockEvent] = []
    cursors = [0] * PARTITIONS
    while any(c < len(p) for c, p in zip(cursors, partitions, strict=True)):
        index = rng.choice([i for i, p in enumerate(partitions) if cursors[i] < len(p)])
        out.append(partitions[index][cursors[index]])
        cursors[index] += 1
    for e in list(out):
        if rng.random() < duplicates:
            out.insert(rng.randrange(len(out) + 1), e)
    return out
