"""What a checkout asks for: `POST /checkout`, `hub checkout`, and the saga's stored request."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from hub.events.values import CURRENCY_PATTERN, DecimalString

CheckoutId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._:-]{1,64}$")]


class CheckoutLine(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sku: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    quantity: int = Field(ge=1, le=10_000)
    unit_price: DecimalString


class CheckoutRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    checkout_id: CheckoutId | None = Field(
        default=None, description="The shop's id of this checkout: asking again with it changes nothing."
    )
    lines: list[CheckoutLine] = Field(min_length=1, max_length=100)
    currency: Annotated[str, StringConstraints(pattern=CURRENCY_PATTERN)]
    buyer_country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,3}$")] | None = None

    def amount(self) -> str:
        total = sum((Decimal(line.unit_price) * line.quantity for line in self.lines), Decimal(0))
        return str(total)

    def units(self) -> dict[str, int]:
        """Units per SKU (a SKU on two lines counts once, with both quantities)."""
        found: dict[str, int] = {}
        for line in self.lines:
            found[line.sku] = found.get(line.sku, 0) + line.quantity
        return found

    def order_lines(self) -> list[dict[str, object]]:
        """The lines as an order event's `lines`: numbered from 1, each unit price in the currency."""
        return [
            {
                "line_id": str(index),
                "sku": line.sku,
                "quantity": line.quantity,
                "unit_price": {"amount": line.unit_price, "currency": self.currency},
            }
            for index, line in enumerate(self.lines, 1)
        ]
