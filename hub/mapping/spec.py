"""The mapping format. These models are the single source of mapping.schema.json (see `hub schemas export`).

A value expression is either a shorthand (a string starting with `$` is a path from the payload root,
`@` from the current `foreach` item, `@name` from the item an enclosing `as: name` bound; any other
scalar is a constant) or an object with a `type:`. `[*]` in a path takes every element of an array.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hub.events.catalog import EVENT_TYPES
from hub.mapping.paths import EVERY, parse

PATH_PATTERN = r"^([$]|@[A-Za-z_][A-Za-z0-9_]*|@)([.][A-Za-z_][A-Za-z0-9_]*|\[(-?[0-9]+|'[^']*'|[*])\])*$"
ITEM_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"

if TYPE_CHECKING:
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
    """A string from a template: `{name}` is replaced by the value of args.name."""

    type: Literal["format"]
    template: str
    args: dict[str, Expr]


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


class JsonataExpr(Spec):
    """Escape hatch for what the primitives cannot say. `$` is the payload root, `$item` the current item.
    JSONata computes with binary floats: never use it for money."""

    type: Literal["jsonata"]
    expr: str
    required: bool = False


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
    | JsonataExpr,
    Field(discriminator="type"),
]
Expr = Union[str, int, bool, None, TypedExpr]  # noqa: UP007  (a runtime alias pydantic must resolve)


# -- conditions


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
    as_: ItemNames | None = Field(default=None, alias="as")
    where: Condition


Condition = Annotated[
    EqualsCond | InCond | ContainsCond | ExistsCond | NotCond | AllCond | AnyCond | SameCond | SomeCond,
    Field(discriminator="type"),
]


# -- what a mapping emits


class SwitchEvent(Spec):
    """Choose the event type from a status: unknown statuses quarantine, `ignore` ones emit nothing.
    A case may hold another switch, for payloads whose status only counts for one kind of change."""

    type: Literal["switch"]
    from_: Expr = Field(alias="from")
    cases: dict[str, EventName | SwitchEvent]
    ignore: dict[str, str] = Field(default_factory=dict, description="status -> why it yields no event")


class EmitEvent(Spec):
    type: Literal["event"]
    event: EventName | SwitchEvent
    when: Condition | None = None
    data: dict[str, Expr]
    data_by_event: dict[EventName, dict[str, Expr]] = Field(
        default_factory=dict,
        description="Fields added only when the switch chose that event type (lines, totals, reasons).",
    )

    @model_validator(mode="after")
    def _reachable(self) -> EmitEvent:
        possible = _events_of(self.event)
        stray = sorted(set(self.data_by_event) - possible)
        if stray:
            raise ValueError(
                f"data_by_event names {', '.join(stray)}, which this emitter never emits "
                f"(it emits {', '.join(sorted(possible))})"
            )
        return self


def _events_of(event: str | SwitchEvent) -> set[str]:
    if isinstance(event, str):
        return {event}
    return {name for target in event.cases.values() for name in _events_of(target)}


class ForEach(_Over):
    """Emit once per item of an array (a shipment per line, an event per order of a page)."""

    type: Literal["foreach"]
    from_: PathString = Field(alias="from")
    as_: ItemNames | None = Field(default=None, alias="as")
    key: Expr = Field(description="Identity of the item; part of each emitted event's id.")
    distinct: bool = Field(
        default=False,
        description="Emit once per distinct key, for its first item (one shipment per tracking number); "
        "without it a repeated key quarantines the payload.",
    )
    when: Condition | None = None
    emit: list[Emitter] = Field(min_length=1)


Emitter = Annotated[EmitEvent | ForEach, Field(discriminator="type")]


class InputSpec(Spec):
    schema_: str | None = Field(
        default=None,
        alias="schema",
        description="JSON Schema of the payload, relative to the connector's folder; `file.json#/pointer` "
        "names the part of a response schema that describes one record (draft-04 to 07 files).",
    )
    lenient: list[str] = Field(
        default_factory=list,
        description="Schema paths (like /properties/NotificationType) whose errors are tolerated, "
        "for official schemas that contradict the marketplace's real payloads.",
    )


class MappingSpec(Spec):
    type: Literal["mapping"]
    description: str | None = None
    input: InputSpec | None = None
    emit: list[Emitter] = Field(min_length=1)


for _model in (
    StringExpr, IntExpr, DecimalExpr, BoolExpr, TimestampExpr, MoneyExpr, EnumExpr, ListExpr, SumExpr,
    PickExpr, HoldsExpr, ObjectExpr, CoalesceExpr, FormatExpr, CaseBranch, CaseExpr, JoinExpr, EqualsCond,
    InCond, ContainsCond, ExistsCond, NotCond, AllCond, AnyCond, SameCond, SomeCond, SwitchEvent, EmitEvent,
    ForEach, MappingSpec,
):  # fmt: skip
    _model.model_rebuild()
