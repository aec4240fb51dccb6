"""Validate mapped data against its event type, leaving the domain-owned fields to the domain.

Two ways to the same answer. The fast one turns the mapped fields into the event's JSON form (timestamps
in UTC as ISO text, defaults filled in, fields in the model's order: what `model_dump(mode="json")` gives)
and checks that form against the event's JSON Schema (json_form.py); it takes only values that are
already JSON (strings, integers, booleans, null, and objects and arrays of them, plus aware datetimes where
the schema has a date-time), which the model would keep as they are. Anything else, and anything the
schema refuses, goes to the pydantic model, whose coercions and error messages stay the reference.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Optional

from pydantic import ValidationError, create_model

from hub.events.base import EventData
from hub.events.catalog import event_class
from hub.mapping.errors import MappingError
from hub.mapping.json_form import json_form
from hub.mapping.model_form import Json

__all__ = ["Json", "draft_json", "draft_model", "json_form", "validate_draft"]


@cache
def draft_model(cls: type[EventData]) -> type[EventData]:
    if not cls.DOMAIN_FIELDS:
        return cls
    optional: dict[str, Any] = {
        name: (Optional[cls.model_fields[name].annotation], None)  # noqa: UP045  (built at run time)
        for name in cls.DOMAIN_FIELDS
    }
    return create_model(f"{cls.__name__}Draft", __base__=cls, **optional)


def validate_draft(event_type: str, data: dict[str, Any]) -> EventData:
    cls = event_class(event_type)
    try:
        return draft_model(cls).model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise MappingError(
            f"output does not match {event_type}: {field}: {first['msg']} ({exc.error_count()} error(s))",
            value=first.get("input") if isinstance(first.get("input"), str | int | bool) else None,
        ) from None


def draft_json(event_type: str, fields: dict[str, Any]) -> tuple[Json, EventData | None]:
    """The draft's JSON form (what `model_dump(mode="json")` of the validated draft gives), and the model
    when the slow way built one. Raises MappingError as validate_draft does."""
    cls = event_class(event_type)
    out = json_form(draft_model(cls))(fields)
    if out is not None:
        return out, None
    data = validate_draft(event_type, fields)
    return data.model_dump(mode="json"), data
