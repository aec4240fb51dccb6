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
from pydantic import Field, field_validator, model_validator

from hub.mapping.spec.base import ITEM_NAME_PATTERN, Empty, PathString, Rounding, Spec, _Sourced
from hub.mapping.spec.facts import ContextExpr, HeaderExpr, LookupExpr
from hub.mapping.spec.items import ListExpr, PickExpr, SumExpr

if TYPE_CHECKING:
    # Resolved at run time by hub.mapping.spec once conditions exist (they refer to expressions too).
    from hub.mapping.spec.conditions import Condition


class PathExpr(_Sourced):
    type: Literal["path"]
    path: PathString


class ConstExpr(Spec):
    type: Literal["const"]
    value: Any


class StringExpr(_Sourced):
    type: Literal["string"]
    from_: Expr = Field(alias="from")


class IntExpr(_Sourced):
    """An exact integer, from a JSON number or a numeric string; never rounds."""

    type: Literal["int"]
    from_: Expr = Field(alias="from")


class DecimalExpr(_Sourced):
    type: Literal["decimal"]
    from_: Expr = Field(alias="from")
    scale: int | None = Field(default=None, ge=0, le=12, description="Digits after the point; rounds.")
    rounding: Rounding = "half_even"


class BoolExpr(_Sourced):
    """A boolean, also from the strings "true"/"false" some marketplaces send."""

    type: Literal["bool"]
    from_: Expr = Field(alias="from")


class TimestampExpr(_Sourced):
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
    negate: bool = Field(
        default=False,
        description="Flip the amount's sign, exactly (a refund a channel writes as -10.00 is 10.00).",
    )
    empty: Empty = None
    required: bool = False


class EnumExpr(_Sourced):
    """A closed table: a value not in `values` quarantines the payload, it is never guessed."""

    type: Literal["enum"]
    from_: Expr = Field(alias="from")
    values: dict[str, Any]


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
    | HeaderExpr
    | LookupExpr
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
