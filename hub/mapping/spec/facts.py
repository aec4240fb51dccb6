"""Values from outside the payload: facts about the delivery (`context`), its request headers (`header`),
and rows of a lookup table the connector declares (`lookup`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field

from hub.mapping.spec.base import PartName, Spec, _Sourced, _Typed

if TYPE_CHECKING:
    from hub.mapping.spec.exprs import Expr

HEADER_NAME_PATTERN = r"^[A-Za-z0-9-_.]+$"


class ContextExpr(Spec):
    """Facts about the delivery, not the payload: which connector, account and route it came through, the
    value of the connector's routing field (or header) it was routed by, and when the hub received it
    (the observation time of a pulled snapshot that carries no time itself)."""

    type: Literal["context"]
    name: Literal["connector", "account", "route", "routing_value", "received_at"]


class HeaderExpr(_Typed):
    """A request header of the delivery (names compare case-insensitively), for platforms that put the
    topic, delivery id or shop only in headers. A recorded delivery or response reads the headers its
    envelope declares (`envelopes[].headers`). The inbox keeps the headers a connector's mappings and
    routing read, so re-normalizing a stored delivery reads them again."""

    type: Literal["header"]
    name: Annotated[str, Field(pattern=HEADER_NAME_PATTERN)]


Scalar = str | int | bool | None


class LookupTable(Spec):
    """A table of facts the marketplace publishes (its marketplace ids with their countries and
    currencies, say): one row per key, each row the same fields. `lookup` reads it."""

    description: str | None = None
    doc: str | None = Field(default=None, description="The page (URL) the table is copied from.")
    rows: dict[str, dict[str, Scalar]] = Field(min_length=1, description="key -> {field: value}")

    def fields(self) -> list[str]:
        return list(dict.fromkeys(name for row in self.rows.values() for name in row))


class LookupExpr(_Sourced):
    """A field of the row of a lookup table (the connector's `lookups:`) whose key is the value of `from`.
    A key the table does not have gives no value (`required` quarantines, naming the known keys)."""

    type: Literal["lookup"]
    table: PartName = Field(description="A table under the connector's `lookups:`.")
    from_: Expr = Field(alias="from")
    field: str = Field(description="The row's field to give, e.g. currency.")
