"""Value expressions over the items of arrays (or the entries of objects): list, sum, first/min/max; and
min/max over several expressions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from hub.mapping.spec.base import Entries, ItemNames, PathString, Rounding, Sources, _Over, _Typed

if TYPE_CHECKING:
    # Resolved at run time by hub.mapping.spec once every model exists.
    from hub.mapping.spec.conditions import Condition
    from hub.mapping.spec.exprs import Expr


class ListExpr(_Over):
    type: Literal["list"]
    from_: PathString = Field(alias="from")
    entries: Entries = False
    as_: ItemNames | None = Field(default=None, alias="as")
    item: Expr
    where: Condition | None = None


class SumExpr(_Over):
    """The exact sum of `amount` over the items; money when `currency` is given (every item must share
    it), a decimal string otherwise. No items: missing."""

    type: Literal["sum"]
    from_: Sources = Field(alias="from")
    entries: Entries = False
    as_: ItemNames | None = Field(default=None, alias="as")
    where: Condition | None = None
    amount: Expr = "@"
    currency: Expr = None
    scale: int | None = Field(default=None, ge=0, le=12)
    rounding: Rounding = "half_even"
    required: bool = False


class PickExpr(_Typed, _Over):
    """One value out of the items of `from`: the first one's, or the smallest or largest (numbers,
    timestamps). `min` and `max` also take `of`, several expressions instead of items: the smallest or
    largest of those present (all of one kind: timestamps, or numbers)."""

    type: Literal["first", "min", "max"]
    from_: Sources | None = Field(default=None, alias="from")
    of: list[Expr] | None = Field(default=None, min_length=1, description="Expressions to compare.")
    entries: Entries = False
    as_: ItemNames | None = Field(default=None, alias="as")
    where: Condition | None = None
    value: Expr = "@"

    @model_validator(mode="after")
    def _one_source(self) -> PickExpr:
        if (self.from_ is None) == (self.of is None):
            raise ValueError("give either `from` (items) or `of` (expressions), not both and not neither")
        if self.of is not None:
            if self.type == "first":
                raise ValueError("`first` takes `from`; the first present of several expressions is coalesce")
            used = [k for k, v in (("as", self.as_), ("where", self.where)) if v is not None]
            used += ["entries"] if self.entries else []
            if self.value != "@":
                used.append("value")
            if used:
                raise ValueError(f"{', '.join(used)} only apply to `from` (items), not to `of`")
        return self
