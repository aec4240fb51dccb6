"""Validate mapped data against its event type, leaving the domain-owned fields to the domain."""

from __future__ import annotations

from functools import cache
from typing import Any, Optional

from pydantic import ValidationError, create_model

from hub.events.base import EventData
from hub.events.catalog import event_class
from hub.mapping.errors import MappingError


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
