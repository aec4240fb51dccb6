"""A mapping document: what it emits, the input it expects, and the document itself."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from hub.mapping.spec.base import (
    Empty,
    Entries,
    EventName,
    ItemName,
    ItemNames,
    PartName,
    PathString,
    Spec,
    _Over,
)
from hub.mapping.spec.conditions import Condition
from hub.mapping.spec.exprs import Expr


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
    entries: Entries = False
    as_: ItemNames | None = Field(default=None, alias="as")
    key: Expr = Field(description="Identity of the item; part of each emitted event's id.")
    distinct: bool = Field(
        default=False,
        description="Emit once per distinct key, for its first item (one shipment per tracking number); "
        "without it a repeated key quarantines the payload.",
    )
    when: Condition | None = None
    emit: list[Emitter] = Field(min_length=1)


class Include(Spec):
    """Emit what another mapping of the connector emits for a part of this payload: inside it, `$` is
    `root`, and each name of `with` is read as @name (the names that mapping declares under
    `input.with`). One mapping serves a resource wherever it sits: Walmart's purchase order is the body of
    its legacy PO webhooks and sits under payload.order in ORDER_UPDATES."""

    type: Literal["include"]
    mapping: PartName = Field(description="A mapping of this connector: mappings/<connector>/<name>.yaml.")
    root: Expr = Field(default="$", description="What `$` is inside that mapping; missing quarantines.")
    with_: dict[ItemName, Expr] = Field(
        default_factory=dict,
        alias="with",
        description="Values for the names that mapping declares under `input.with`, read there as @name.",
    )
    when: Condition | None = None


Emitter = Annotated[EmitEvent | ForEach | Include, Field(discriminator="type")]


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
    attached: dict[PathString, str] = Field(
        default_factory=dict,
        description="Parts a pull stream attaches to each record from another request (Orders v0: "
        "getOrderItems' OrderItems as $.OrderItems): path -> the JSON Schema of that part "
        "(file.json#/pointer), against which `hub lint` checks the paths read under it.",
    )
    empty_strings: Empty = Field(
        default=None,
        description='"missing": every path of this mapping that reaches an empty string (or only spaces) '
        "reads it as missing: typed values apply `required` and `default`, `exists` is false, `coalesce` "
        "takes the next (the `empty: missing` of each typed value, for the whole mapping).",
    )
    with_: dict[ItemName, str] = Field(
        default_factory=dict,
        alias="with",
        description="Names an including mapping gives values for (`include` ... `with:`), read here as "
        "@name; each name -> what it holds. Routed directly, the mapping reads them as missing.",
    )


class MappingSpec(Spec):
    type: Literal["mapping"]
    description: str | None = None
    input: InputSpec | None = None
    emit: list[Emitter] = Field(min_length=1)
