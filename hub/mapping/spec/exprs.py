"""Value expressions of the mapping format (the models behind mapping.schema.json).

A value expression is either a shorthand (a string starting with `$` is a path from the payload root,
`@` from the current `foreach` item, `@name` from the item an enclosing `as: name` bound; any other
scalar is a constant) or an object with a `type:`. `[*]` in a path takes every element of an array.
"""

from __future__ import annotations

import re
from string import Formatter
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

import jsonata
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from hub.events.catalog import EVENT_TYPES
from hub.mapping.paths import EVERY, parse

PATH_PATTERN = r"^([$]|@[A-Za-z_][A-Za-z0-9_]*|@)([.][A-Za-z_][A-Za-z0-9_]*|\[(-?[0-9]+|'[^']*'|[*])\])*$"
ITEM_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"

if TYPE_CHECKING:
    # Resolved at run time by hub.mapping.spec once conditions exist (they refer to expressions too).
    from hub.mapping.spec.conditions import Condition

    EventName = str
else:
    EventName = Literal[tuple(EVENT_TYPES)]
Rounding = Literal["half_even", "half_up", "half_down", "down", "up", "floor", "ceiling"]


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


PathString = Annotated[
    str, Field(pattern=PATH_PATTERN, description="$ = payload root, @ = current item, @name = a named item")
]
ItemName = Annotated[str, Field(pattern=ITEM_NAME_PATTERN)]
ItemNames = Annotated[
    ItemName | list[ItemName],
    Field(
        description="Names for the items, read as @name inside: one name per level, outermost first "
        "(the element taken at each [*] of `from` that more path follows, then the item itself)."
    ),
]
Sources = Annotated[
    PathString | list[PathString], Field(description="Arrays whose elements are the items; [*] flattens.")
]


def levels_of(path: str) -> int:
    """How many elements a `from` path binds per item: one per inner [*], plus the item itself."""
    _, segments = parse(path)
    while segments and segments[-1] is EVERY:
        segments = segments[:-1]
    return sum(seg is EVERY for seg in segments) + 1


class _Over(Spec):
    """Shared by the primitives that read the items of arrays: `as` may not name more levels than exist."""

    @model_validator(mode="after")
    def _names_fit(self) -> _Over:
        names = getattr(self, "as_", None)
        count = 0 if names is None else (1 if isinstance(names, str) else len(names))
        sources = getattr(self, "from_", [])
        for path in [sources] if isinstance(sources, str) else sources:
            if count > levels_of(path):
                raise ValueError(f"`as` names {count} levels but {path} has {levels_of(path)}")
        return self


class _Typed(Spec):
    required: bool = Field(default=False, description="Quarantine the payload when the value is missing.")
    default: Any = Field(default=None, description="Used when the value is missing (null counts as missing).")


class PathExpr(_Typed):
    type: Literal["path"]
    path: PathString


class ConstExpr(Spec):
    type: Literal["const"]
    value: Any


class ContextExpr(Spec):
    """Facts about the delivery, not the payload: which connector, account and route it came through, and
    when the hub received it (the observation time of a pulled snapshot that carries no time itself)."""

    type: Literal["context"]
    name: Literal["connector", "account", "route", "received_at"]


class StringExpr(_Typed):
    type: Literal["string"]
    from_: Expr = Field(alias="from")


class IntExpr(_Typed):
    """An exact integer, from a JSON number or a numeric string; never rounds."""

    type: Literal["int"]
    from_: Expr = Field(alias="from")


class DecimalExpr(_Typed):
    type: Literal["decimal"]
    from_: Expr = Field(alias="from")
    scale: int | None = Field(default=None, ge=0, le=12, description="Digits after the point; rounds.")
    rounding: Rounding = "half_even"


class BoolExpr(_Typed):
    """A boolean, also from the strings "true"/"false" some marketplaces send."""

    type: Literal["bool"]
    from_: Expr = Field(alias="from")


class TimestampExpr(_Typed):
    type: Literal["timestamp"]
    from_: Expr = Field(alias="from")
    format: Literal["iso8601", "epoch_s", "epoch_ms"] = "iso8601"
    timezone: str | None = Field(
        default=None, description="IANA zone for ISO values without an offset; without it they are errors."
    )


class MoneyExpr(Spec):
    type: Literal["money"]
    amount: Expr
    currency: Expr
    per: Expr = Field(
        default=None,
        description="A quantity the amount is the total of: the money is the amount per unit (a unit price "
        "from a line total). Zero units give no value; an inexact quotient needs `scale`.",
    )
    scale: int | None = Field(default=None, ge=0, le=12)
    rounding: Rounding = "half_even"
    required: bool = False


class EnumExpr(_Typed):
    """A closed table: a value not in `values` quarantines the payload, it is never guessed."""

    type: Literal["enum"]
    from_: Expr = Field(alias="from")
    values: dict[str, Any]


class ListExpr(_Over):
    type: Literal["list"]
    from_: PathString = Field(alias="from")
    as_: ItemNames | None = Field(default=None, alias="as")
    item: Expr
    where: Condition | None = None


class SumExpr(_Over):
    """The exact sum of `amount` over the items; money when `currency` is given (every item must share
    it), a decimal string otherwise. No items: missing."""

    type: Literal["sum"]
    from_: Sources = Field(alias="from")
    as_: ItemNames | None = Field(default=None, alias="as")
    where: Condition | None = None
    amount: Expr = "@"
    currency: Expr = None
    scale: int | None = Field(default=None, ge=0, le=12)
    rounding: Rounding = "half_even"
    required: bool = False


class PickExpr(_Typed, _Over):
    """One value out of the items: the first one's, or the smallest or largest (numbers, timestamps)."""

    type: Literal["first", "min", "max"]
    from_: Sources = Field(alias="from")
    as_: ItemNames | None = Field(default=None, alias="as")
    where: Condition | None = None
    value: Expr = "@"


class HoldsExpr(Spec):
    """true or false: whether the condition holds."""

    type: Literal["test"]
    cond: Condition


class ObjectExpr(Spec):
    type: Literal["object"]
    fields: dict[str, Expr]


class CoalesceExpr(Spec):
    type: Literal["coalesce"]
    of: list[Expr] = Field(min_length=1)


class FormatExpr(Spec):
    """A string from a template: `{name}` is replaced by the value of args.name (`{{` and `}}` are
    braces). No value when an argument is missing or null."""

    type: Literal["format"]
    template: str
    args: dict[str, Expr]

    @model_validator(mode="after")
    def _placeholders(self) -> FormatExpr:
        for name in placeholders(self.template):
            if name not in self.args:
                known = ", ".join(self.args) or "none"
                raise ValueError(f"template names {{{name}}}, which args does not give (args: {known})")
        return self


_BARE = re.compile(ITEM_NAME_PATTERN)


def placeholders(template: str) -> list[str]:
    """The names a format template fills in; ValueError for anything but a bare `{name}`."""
    try:
        parsed = list(Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(f"template {template!r}: {exc} (write a brace as {{{{ or }}}})") from None
    names = []
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if not _BARE.fullmatch(name) or spec or conversion:
            written = (
                "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            )
            raise ValueError(f"template placeholder {written} must be a bare {{name}} of args")
        names.append(name)
    return names


class CaseBranch(Spec):
    when: Condition
    value: Expr


class CaseExpr(Spec):
    """The value of the first branch whose condition holds, else `otherwise` (missing when not given)."""

    type: Literal["case"]
    cases: list[CaseBranch] = Field(min_length=1)
    otherwise: Expr = None


class JoinExpr(Spec):
    """The items of an array (or of a list expression) as one string, e.g. BUYABLE,DISCOVERABLE.
    An empty array gives no value."""

    type: Literal["join"]
    from_: Expr = Field(alias="from")
    separator: str = ","
    distinct: bool = Field(default=False, description="Keep only the first of repeated items.")


class ArrayExpr(Spec):
    """An array of the values of these expressions that are present: missing and null ones are left out,
    so it may be empty (one reason, or none)."""

    type: Literal["array"]
    of: list[Expr] = Field(min_length=1)


class KeysExpr(Spec):
    """The keys of an object, in the payload's order (reason codes sent as the keys of an object).
    Missing, null or not an object: no value."""

    type: Literal["keys"]
    from_: Expr = Field(alias="from")


class JsonataExpr(Spec):
    """Escape hatch for what the primitives cannot say. `$` is the payload root, `$item` the current item.
    JSONata computes with binary floats: never use it for money."""

    type: Literal["jsonata"]
    expr: str
    required: bool = False

    @field_validator("expr")
    @classmethod
    def _parses(cls, text: str) -> str:
        try:
            jsonata.Jsonata(text)
        except Exception as exc:  # jsonata-python raises its own JException for syntax errors
            raise ValueError(f"not a JSONata expression: {exc}") from None
        return text


TypedExpr = Annotated[
    PathExpr
    | ConstExpr
    | ContextExpr
    | StringExpr
    | IntExpr
    | DecimalExpr
    | BoolExpr
    | TimestampExpr
    | MoneyExpr
    | EnumExpr
    | ListExpr
    | SumExpr
    | PickExpr
    | HoldsExpr
    | ObjectExpr
    | CoalesceExpr
    | FormatExpr
    | CaseExpr
    | JoinExpr
    | ArrayExpr
    | KeysExpr
    | JsonataExpr,
    Field(discriminator="type"),
]
Expr = Union[str, int, bool, None, TypedExpr]  # noqa: UP007  (a runtime alias pydantic must resolve)
