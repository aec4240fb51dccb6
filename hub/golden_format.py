"""The golden-test format (mappings/<connector>/tests/<mapping>.yaml). These models are the single source
of golden.schema.json (see `hub schemas export`); hub/golden.py runs the cases."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import ConfigDict, Field

from hub.connectors.spec import NAME_PATTERN
from hub.mapping.spec import EventName, PathString, Spec


class Attached(Spec):
    file: str = Field(description="A sample file, relative to this one.")
    pick: PathString | None = Field(default=None, description="The part of the file to attach.")


class CaseInput(Spec):
    """The payload: a sample file (or one part of it) or an inline payload (one of the two), then
    attached, patched and removed parts; and what intake would record besides it."""

    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": ["file"]}, {"required": ["payload"]}]}
    )

    file: str | None = Field(default=None, description="A sample file, relative to this one.")
    payload: Any = Field(default=None, description="An inline payload (numbers with a point are exact).")
    pick: PathString | None = Field(default=None, description="Map only this part of the file or payload.")
    attach: dict[PathString, Attached] = Field(
        default_factory=dict, description="Parts of other files put at a path (what a pull stream adds)."
    )
    set: dict[PathString, Any] = Field(
        default_factory=dict, description="Values to patch in; an index one past an array's end appends."
    )
    unset: list[PathString] = Field(default_factory=list, description="Fields to remove.")
    account: str | None = Field(
        default=None,
        description="The account; default: what intake reads from a delivery (none for a record).",
    )
    received_at: str | None = Field(
        default=None,
        description="When intake received it: ISO 8601 with offset.",
        json_schema_extra={"format": "date-time"},
    )
    route: Annotated[str, Field(pattern=NAME_PATTERN)] | None = Field(
        default=None, description="The mapping a pulled record goes to; default: this file's mapping."
    )
    routed: bool = Field(default=False, description="Routed by the connector's routing, as a delivery is.")
    headers: dict[str, str] = Field(
        default_factory=dict,
        description="The delivery's request headers (names as sent), for connectors that read headers.",
    )


class ExpectedEvent(Spec):
    type: EventName
    key: str = Field(description="The event's partition key.")
    data: dict[str, Any]


class Expect(Spec):
    """What the mapping must make of the input: events, a quarantine reason or an ignore reason (the
    reason need only be contained in the actual one)."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1, "maxProperties": 1})

    events: list[ExpectedEvent] | None = None
    quarantine: str | None = None
    ignore: str | None = None


class GoldenCase(Spec):
    name: str
    description: str | None = None
    input: CaseInput
    expect: Expect | None = Field(default=None, description="Absent until `hub test --update` writes it.")


class GoldenFile(Spec):
    cases: list[GoldenCase] = Field(min_length=1)
