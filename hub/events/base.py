"""Base class of every event's data, and the parts that order events share."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from hub.events.values import CURRENCY_PATTERN, Money, UtcDatetime


class EventData(BaseModel):
    """The `data` of one event type. TYPE, VERSION (the major) and MINOR name its exported JSON Schema.

    A compatible change (an optional field, an enum value) raises MINOR; anything else raises VERSION
    and adds an upcaster from the old major (hub/events/upcasters.py). `hub schemas check` holds both."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    TYPE: ClassVar[str]
    VERSION: ClassVar[int] = 1
    MINOR: ClassVar[int] = 0
    TOPIC: ClassVar[str]
    # Fields the domain fills in while applying the event (a mapping need not produce them).
    DOMAIN_FIELDS: ClassVar[frozenset[str]] = frozenset()

    occurred_at: UtcDatetime = Field(description="When the fact happened at the source, in UTC.")

    def partition_key(self) -> str:
        raise NotImplementedError

    def subject(self) -> str:
        return self.partition_key()


class OrderLine(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    line_id: str = Field(description="The channel's id of the order line (item id, line number).")
    sku: str | None = Field(default=None, description="The merchant's SKU.")
    quantity: int = Field(ge=0)
    unit_price: Money | None = None
    title: str | None = None
    channel_status: str | None = Field(default=None, description="The line status as the channel spelled it.")


class OrderFact(EventData):
    """Every order event is keyed by channel and order id, so one order's events stay in order."""

    TOPIC: ClassVar[str] = "orders"

    channel: str = Field(description="The connector the fact came from, e.g. tiktok.")
    account: str | None = Field(default=None, description="Seller, shop or partner id at the channel.")
    order_id: str = Field(description="The channel's order id, kept exact (never a number).")
    channel_status: str | None = Field(
        default=None, description="The order status as the channel spelled it."
    )
    # What the payload knows of the order, on every order event: a consumer that first sees an order at a
    # later status (pulled as Shipped) still learns what was sold, for how much and where.
    marketplace_id: str | None = Field(
        default=None, description="The channel's market or marketplace id, e.g. ATVPDKIKX0DER, as sent."
    )
    buyer_country: str | None = Field(
        default=None, description="The ship-to (or buyer) country as the channel gives it, e.g. US."
    )
    market: str | None = Field(
        default=None,
        description="The country of the channel's market the order was placed in (ISO 3166-1 alpha-2), "
        "e.g. US for Amazon's ATVPDKIKX0DER: from the channel's own table of its marketplaces.",
    )
    currency: str | None = Field(
        default=None,
        pattern=CURRENCY_PATTERN,
        description="The currency the order is priced in (ISO 4217): the total's, or the market's default "
        "currency when the payload has no prices yet (a Pending Amazon order).",
    )
    total: Money | None = Field(default=None, description="The order total, when the payload has it.")
    order_lines: list[OrderLine] = Field(
        default_factory=list,
        description="The order's lines (SKU, quantity, unit price) as the payload knows them; empty when "
        "it has none. On OrderPlaced the same lines as `lines`.",
    )

    def partition_key(self) -> str:
        return f"{self.channel}:{self.order_id}"


FulfilledBy = Literal["merchant", "channel"]
