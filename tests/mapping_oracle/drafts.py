"""The oracle's check of mapped fields: the event's pydantic model in strict mode (JSON types as they are,
aware datetimes where the model has one), then the limits the hub puts on what an event may hold."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from hub.events.catalog import event_class
from hub.mapping import limits
from hub.mapping.drafts import draft_model
from hub.mapping.errors import MappingError


def validate(event_type: str, fields: dict[str, Any]) -> dict[str, Any]:
    """The draft's JSON form, or the MappingError of the first field that does not fit."""
    try:
        data = draft_model(event_class(event_type)).model_validate(fields, strict=True)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise MappingError(f"{_output(event_type, first['loc'])}: {first['msg']}") from None
    json: dict[str, Any] = data.model_dump(mode="json")
    for loc, value in _leaves(json, ()):
        if isinstance(value, str) and len(value) > limits.MAX_TEXT:
            raise MappingError(f"{_output(event_type, loc)}: longer than {limits.MAX_TEXT} characters")
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= limits.INT_BOUND:
            raise MappingError(f"{_output(event_type, loc)}: more than {limits.MAX_INT_DIGITS} digits")
    return json


def _output(event_type: str, loc: tuple[Any, ...]) -> str:
    return f"output does not match {event_type}: {'.'.join(str(p) for p in loc)}"


def _leaves(value: Any, loc: tuple[Any, ...]) -> list[tuple[tuple[Any, ...], Any]]:
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in _leaves(v, (*loc, k))]
    if isinstance(value, list):
        return [leaf for i, v in enumerate(value) for leaf in _leaves(v, (*loc, i))]
    return [(loc, value)]
