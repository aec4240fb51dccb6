"""Conditions of the mapping format: `when:`, `where:` and `case` branches."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from hub.mapping.spec.base import Entries, ItemNames, Sources, Spec, _Over
from hub.mapping.spec.exprs import Expr


class EqualsCond(Spec):
    type: Literal["equals"]
    from_: Expr = Field(alias="from")
    value: Any


class InCond(Spec):
    type: Literal["in"]
    from_: Expr = Field(alias="from")
    values: list[Any]


class ContainsCond(Spec):
    """True when an array (or a list expression) holds the value, compared as enum tables compare."""

    type: Literal["contains"]
    from_: Expr = Field(alias="from")
    value: Any


class ExistsCond(Spec):
    type: Literal["exists"]
    from_: Expr = Field(alias="from")


class NotCond(Spec):
    type: Literal["not"]
    cond: Condition


class AllCond(Spec):
    type: Literal["all"]
    of: list[Condition]


class AnyCond(Spec):
    type: Literal["any"]
    of: list[Condition]


class SameCond(Spec):
    """All values are present and equal (compare an item with the one an outer `as:` named)."""

    type: Literal["same"]
    of: list[Expr] = Field(min_length=2)


class SomeCond(_Over):
    """At least one item (of arrays, [*] flattens) satisfies `where`."""

    type: Literal["some"]
    from_: Sources = Field(alias="from")
    entries: Entries = False
    as_: ItemNames | None = Field(default=None, alias="as")
    where: Condition


Condition = Annotated[
    EqualsCond | InCond | ContainsCond | ExistsCond | NotCond | AllCond | AnyCond | SameCond | SomeCond,
    Field(discriminator="type"),
]
