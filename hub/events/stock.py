"""Inventory and listing events."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from hub.events.base import EventData

InventoryReason = Literal[
    "snapshot", "sale", "return", "cancellation", "restock", "correction", "damage", "transfer", "reservation"
]


class InventoryAdjusted(EventData):
    """One change of one SKU's on-hand quantity at one location, ordered per SKU by `version`."""

    TYPE: ClassVar[str] = "InventoryAdjusted"
    TOPIC: ClassVar[str] = "inventory"
    # A mapping gives either the delta or the observed level; the ledger derives the rest.
    DOMAIN_FIELDS: ClassVar[frozenset[str]] = frozenset({"delta", "on_hand", "version"})

    reason: InventoryReason
    sku: str
    location: str = Field(description="Warehouse, ship node or channel fulfilment network.")
    delta: int = Field(description="Signed change of on-hand units.")
    on_hand: int = Field(description="On-hand units at this location after the change.")
    version: int = Field(
        ge=1, description="Per-SKU version: increases by one with every adjustment of the SKU."
    )
    channel: str | None = None
    account: str | None = None

    def partition_key(self) -> str:
        return self.sku


ListingStatus = Literal["active", "inactive", "pending", "suspended", "deleted"]


class ListingStatusChanged(EventData):
    """A listing (offer) at a channel changed status: live, unpublished, suppressed, deleted."""

    TYPE: ClassVar[str] = "ListingStatusChanged"
    TOPIC: ClassVar[str] = "listings"

    channel: str
    account: str | None = None
    listing_id: str = Field(description="ASIN, item id or product id at the channel, kept exact.")
    sku: str | None = None
    marketplace_id: str | None = None
    status: ListingStatus
    channel_status: str | None = Field(default=None, description="The status as the channel spelled it.")
    reasons: list[str] = Field(default_factory=list, description="Why, as the channel explained it.")

    def partition_key(self) -> str:
        return f"{self.channel}:{self.sku or self.listing_id}"
