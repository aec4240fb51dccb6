"""Order lifecycle events."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from hub.events.base import FulfilledBy, OrderFact, OrderLine
from hub.events.values import Money, UtcDatetime


class OrderPlaced(OrderFact):
    """A buyer placed the order at the channel: its lines and total as the channel reported them. Payment
    may still be pending (OrderPaid follows)."""

    TYPE: ClassVar[str] = "OrderPlaced"

    placed_at: UtcDatetime | None = Field(default=None, description="When the buyer placed the order.")
    customer_order_id: str | None = Field(
        default=None, description="The order number the buyer sees, where it differs from order_id."
    )
    fulfilled_by: FulfilledBy | None = Field(
        default=None, description="Who ships: the merchant, or the channel's own network (FBA, WFS, FBT)."
    )
    lines: list[OrderLine] = Field(default_factory=list)
    total: Money | None = Field(default=None, description="Absent while the channel withholds prices.")


class OrderPaid(OrderFact):
    """The channel reports the order paid: it may now be fulfilled."""

    TYPE: ClassVar[str] = "OrderPaid"

    paid_at: UtcDatetime | None = Field(default=None, description="When the payment completed.")


class OrderAllocated(OrderFact):
    """Stock for the order's lines was set aside at a location (warehouse or ship node)."""

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
    """A shipment left with a carrier: all of the order, or with `partial` some lines or units."""

    TYPE: ClassVar[str] = "OrderShipped"

    shipped_at: UtcDatetime | None = Field(default=None, description="When the carrier took the shipment.")
    partial: bool = Field(default=False, description="True when only some lines or units have shipped.")
    shipment: Shipment | None = None
    lines: list[ShippedLine] = Field(default_factory=list)


class OrderDelivered(OrderFact):
    """The carrier or the channel reports the order delivered to the buyer."""

    TYPE: ClassVar[str] = "OrderDelivered"

    delivered_at: UtcDatetime | None = Field(default=None, description="When it was delivered.")


class OrderCancelled(OrderFact):
    """The order, or some of its lines, was cancelled before it shipped."""

    TYPE: ClassVar[str] = "OrderCancelled"

    reason: str | None = Field(default=None, description="The cancellation reason as the channel gave it.")
    cancelled_by: Literal["buyer", "seller", "channel", "system"] | None = Field(
        default=None, description="Who asked for the cancellation."
    )
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
    """The buyer asked to return items or for a refund; OrderReturned follows once it is complete."""

    TYPE: ClassVar[str] = "ReturnInitiated"

    return_id: str = Field(description="The channel's id of the return request.")
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
