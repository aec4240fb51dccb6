"""The merchant's inventory policy, declared in the project's inventory.yaml (its JSON Schema is
hub/schemas/inventory.schema.json): which locations are stock the merchant sells, where a channel's sales
take units from, safety stock, each channel's buffer, and which marketplace item id is which SKU.

    type: inventory
    locations: [main]            # the merchant's own stock: what channels are offered
    sales_location: main         # where a marketplace order's units leave (unless its channel says)
    safety_stock: {default: 1, skus: {MUG-BLUE: 3}}
    channels:                    # told their available-to-sell by the channel-sync group
      walmart: {buffer: 2}
      tiktok: {buffer: 0, account: default}
    items:                       # a marketplace's item id -> the merchant's SKU
      tiktok: {"1729592969712207008": MUG-BLUE}
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

LOCATION = r"^[^\s]{1,255}$"


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SafetyStock(_Spec):
    """Units of a SKU never offered to any channel: a margin for counting errors and damaged stock."""

    default: int = Field(default=0, ge=0)
    skus: dict[str, int] = Field(default_factory=dict, description="Per SKU, instead of the default.")

    def of(self, sku: str) -> int:
        return self.skus.get(sku, self.default)


class ChannelSpec(_Spec):
    """A channel the hub tells how much it may sell, through its connector's `set_inventory` action."""

    connector: str | None = Field(default=None, description="The connector; default: the channel's name.")
    account: str | None = Field(default=None, description="The connector's account to push to.")
    buffer: int = Field(default=0, ge=0, description="Units held back from this channel only.")
    locations: list[str] | None = Field(
        default=None, description="Locations this channel sells from; default: the policy's `locations`."
    )
    sells_from: str | None = Field(
        default=None, description="Where this channel's orders take units from; default: sales_location."
    )
    push: bool = Field(default=True, description="False: compute and show, but push nothing.")
    fields: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="Per merchant SKU, what else the connector's set_inventory level needs (TikTok Shop: "
        "product_id, warehouse_id).",
    )


class InventoryPolicy(_Spec):
    type: Literal["inventory"] = "inventory"
    locations: list[str] = Field(
        default_factory=list,
        description="The merchant's sellable stock. Levels at other locations (a marketplace's FBA network, "
        "a channel's mirror of a warehouse) are kept and shown, never offered.",
    )
    sales_location: str | None = Field(
        default=None, description="Where marketplace orders take units from; unset: orders move no stock."
    )
    safety_stock: SafetyStock = Field(default_factory=SafetyStock)
    channels: dict[str, ChannelSpec] = Field(default_factory=dict)
    items: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="Per connector, the marketplace's item id -> the merchant's SKU."
    )

    def item_of(self, connector: str, sku: str) -> str:
        """The marketplace's item id for a merchant SKU (the SKU itself when none is declared)."""
        return next((item for item, ours in self.items.get(connector, {}).items() if ours == sku), sku)

    def sku_of(self, connector: str, item: str) -> str:
        """The merchant's SKU for a marketplace's item id (the id itself when none is declared)."""
        return self.items.get(connector, {}).get(item, item)

    def sells_from(self, channel: str) -> str | None:
        spec = self.channels.get(channel)
        return spec.sells_from if spec is not None and spec.sells_from else self.sales_location

    def channel_locations(self, channel: str) -> list[str]:
        spec = self.channels.get(channel)
        return (
            list(spec.locations) if spec is not None and spec.locations is not None else list(self.locations)
        )

    def sellable(self) -> set[str]:
        """Every location some channel (or the web shop's checkout) sells from."""
        found = set(self.locations)
        for name in self.channels:
            found.update(self.channel_locations(name))
        return found
