"""The checkout saga's events, on topic `checkout`, keyed by saga id: what the choreographed variant's
participants react to (the orchestrated variant needs none)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from hub.events.base import EventData, OrderLine
from hub.events.values import Money, UtcDatetime


class CheckoutFact(EventData):
    TOPIC: ClassVar[str] = "checkout"

    saga_id: str = Field(description="The checkout saga (the shop's checkout id when it gave one).")
    reason: str | None = Field(default=None, description="Why, for a failure or a compensation.")

    def partition_key(self) -> str:
        return self.saga_id


class CheckoutRequested(CheckoutFact):
    TYPE: ClassVar[str] = "CheckoutRequested"

    order_id: str
    total: Money
    lines: list[OrderLine] = Field(default_factory=list)
    deadline: UtcDatetime = Field(description="Compensated, never completed, after this.")


class PaymentAuthorized(CheckoutFact):
    TYPE: ClassVar[str] = "PaymentAuthorized"

    payment_id: str
    expires_at: UtcDatetime | None = None


class PaymentDeclined(CheckoutFact):
    TYPE: ClassVar[str] = "PaymentDeclined"


class StockReserved(CheckoutFact):
    TYPE: ClassVar[str] = "StockReserved"


class StockUnavailable(CheckoutFact):
    TYPE: ClassVar[str] = "StockUnavailable"


class CheckoutOrderCreated(CheckoutFact):
    TYPE: ClassVar[str] = "CheckoutOrderCreated"

    order_id: str


class OrderCreationFailed(CheckoutFact):
    TYPE: ClassVar[str] = "OrderCreationFailed"


class CheckoutTimedOut(CheckoutFact):
    TYPE: ClassVar[str] = "CheckoutTimedOut"


class StockReleased(CheckoutFact):
    TYPE: ClassVar[str] = "StockReleased"


class PaymentVoided(CheckoutFact):
    TYPE: ClassVar[str] = "PaymentVoided"

    payment_id: str | None = None


CHECKOUT_EVENTS: tuple[type[CheckoutFact], ...] = (
    CheckoutRequested,
    PaymentAuthorized,
    PaymentDeclined,
    StockReserved,
    StockUnavailable,
    CheckoutOrderCreated,
    OrderCreationFailed,
    CheckoutTimedOut,
    StockReleased,
    PaymentVoided,
)
