"""Order lifecycle events."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from hub.events.base import FulfilledBy, OrderFact, OrderLine
from hub.events.values import Money, UtcDatetime


class OrderPlaced(OrderFact):
    TYPE: ClassVar[str] = "OrderPlaced"

    placed_at: UtcDatetime | None = None
    customer_order_id: str | None = None
    fulfilled_by: FulfilledBy | None = None
    lines: list[OrderLine] = Field(default_factory=list)
    total: Money | None = Field(default=None, description="Absent while the channel withholds prices.")


class OrderPaid(OrderFact):
    TYPE: ClassVar[str] = "OrderPaid"

    paid_at: UtcDatetime | None = None


class OrderAllocated(OrderFact):
    TYPE: ClassVar[str] = "OrderAllocated"

    location: str | None = Field(
        default=None, description="Warehouse or ship node the lines were allocated to."
    )
    lines: list[OrderLine] = Field(default_factory=list)


class OrderFulfilled(OrderFact):
    """Packed and handed over for collection; not yet in transit."""

    TYPE: ClassVar[str] = "OrderFulfilled"

    shipment_id: str | None = None
    lines: list[OrderLine] = Field(default_factory=list)


class Shipment(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    shipment_id: str | None = None
    carrier: str | None = None
    method: str | None = None
    tracking_number: str | None = None
    tracking_url: str | None = None


class ShippedLine(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    line_id: str
    sku: str | None = None
    quantity: int = Field(ge=0)


class OrderShipped(OrderFact):
    TYPE: ClassVar[str] = "OrderShipped"

    shipped_at: UtcDatetime | None = None
    partial: bool = Field(default=False, description="True when only some lines or units have shipped.")
    shipment: Shipment | None = None
    lines: list[ShippedLine] = Field(default_factory=list)


class OrderDelivered(OrderFact):
    TYPE: ClassVar[str] = "OrderDelivered"

    delivered_at: UtcDatetime | None = None


class OrderCancelled(OrderFact):
    TYPE: ClassVar[str] = "OrderCancelled"

    reason: str | None = None
    cancelled_by: Literal["buyer", "seller", "channel", "system"] | None = None
    lines: list[OrderLine] = Field(
        default_factory=list, description="Cancelled lines; empty means the whole order."
    )


class ReturnLine(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    line_id: str
    sku: str | None = None
    quantity: int = Field(ge=0)
    reason: str | None = None
    refund: Money | None = None


class ReturnInitiated(OrderFact):
    TYPE: ClassVar[str] = "ReturnInitiated"

    return_id: str
    return_type: str | None = Field(default=None, description="REFUND, RETURN_AND_REFUND, REPLACEMENT, ...")
    reason: str | None = None
    lines: list[ReturnLine] = Field(default_factory=list)
    refund: Money | None = None


class OrderReturned(OrderFact):
    """The return is complete: items received back and/or the refund settled."""

    TYPE: ClassVar[str] = "OrderReturned"

    return_id: str
    lines: list[ReturnLine] = Field(default_factory=list)
    refund: Money | None = None
