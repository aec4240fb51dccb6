"""Value types shared by every event: money and UTC timestamps."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
)

DECIMAL_PATTERN = r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?$"
CURRENCY_PATTERN = r"^[A-Z]{3}$"

DecimalString = Annotated[str, StringConstraints(pattern=DECIMAL_PATTERN)]


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def iso(value: datetime) -> str:
    # isoformat keeps the explicit "+00:00" offset that consumers in any language parse.
    return value.isoformat()


UtcDatetime = Annotated[
    AwareDatetime,
    AfterValidator(_to_utc),
    PlainSerializer(iso, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


class Money(BaseModel):
    """A decimal amount as a string plus its ISO 4217 currency; never a float."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    amount: DecimalString
    currency: Annotated[str, StringConstraints(pattern=CURRENCY_PATTERN)]

    def as_decimal(self) -> Decimal:
        return Decimal(self.amount)
