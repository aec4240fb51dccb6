"""The sandbox's orders: one model for every marketplace, rendered in each one's shape by its module."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from decimal import Decimal

# Each marketplace's status walk, in the marketplace's own words (see the connectors' samples README).
LIFECYCLE = {
    "amazon": ["Pending", "Unshipped", "Shipped"],
    "walmart": ["Created", "Acknowledged", "Shipped"],
    "tiktok": ["UNPAID", "AWAITING_SHIPMENT", "IN_TRANSIT", "DELIVERED"],
}
CURRENCY = {"amazon": "USD", "walmart": "USD", "tiktok": "USD"}


@dataclass
class Line:
    number: str
    sku: str
    title: str
    quantity: int
    unit_price: Decimal


@dataclass
class Order:
    marketplace: str
    account: str
    id: str
    created: float
    updated: float
    step: int
    lines: list[Line]
    currency: str
    tracking: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def status(self) -> str:
        return LIFECYCLE[self.marketplace][self.step]

    @property
    def total(self) -> Decimal:
        return sum((ln.unit_price * ln.quantity for ln in self.lines), Decimal("0"))

    def advance(self, now: float) -> bool:
        if self.step + 1 >= len(LIFECYCLE[self.marketplace]):
            return False
        self.step += 1
        self.updated = max(now, self.updated + 0.001)
        return True


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def new_id(marketplace: str, rng: random.Random) -> str:
    if marketplace == "amazon":
        return f"{_digits(rng, 3)}-{_digits(rng, 7)}-{_digits(rng, 7)}"
    return _digits(rng, 13 if marketplace == "walmart" else 18)


def make_order(marketplace: str, account: str, rng: random.Random, at: float | None = None) -> Order:
    now = time.time() if at is None else at
    lines = [
        Line(
            number=str(i + 1),
            sku=f"SKU-{rng.randint(1, 50):03d}",
            title=f"Sandbox item {i + 1}",
            quantity=rng.randint(1, 3),
            unit_price=Decimal(rng.randint(100, 9999)) / 100,
        )
        for i in range(rng.randint(1, 3))
    ]
    return Order(
        marketplace,
        account,
        new_id(marketplace, rng),
        now,
        now,
        0,
        lines,
        CURRENCY[marketplace],
        tracking=f"1Z{_digits(rng, 16)}",
    )
