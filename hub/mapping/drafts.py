"""Validate mapped data against its event type, leaving the domain-owned fields to the domain.

One validator: the generated check of json_form.py, which returns the draft's JSON form (what
`model_dump(mode="json")` of the validated model gives) or names the first field that does not fit. The
pydantic model is built from that JSON form only when someone asks for it (Draft.data)."""

from __future__ import annotations

from functools import cache
from typing import Any, Optional

from pydantic import create_model

from hub.events.base import EventData
from hub.events.catalog import event_class
from hub.mapping.errors import MappingError
from hub.mapping.json_form import Json, JsonForm, Refused, json_form

__all__ = ["Json", "draft_check", "draft_json", "draft_model", "event_json", "json_form"]


@cache
def draft_model(cls: type[EventData]) -> type[EventData]:
    if not cls.DOMAIN_FIELDS:
        return cls
    optional: dict[str, Any] = {
        name: (Optional[cls.model_fields[name].annotation], None)  # noqa: UP045  (built at run time)
        for name in cls.DOMAIN_FIELDS
    }
    return create_model(f"{cls.__name__}Draft", __base__=cls, **optional)


def event_json(model: type[EventData], fields: dict[str, Any], *, text_times: bool = False) -> Json:
    """The JSON form of fields checked against a model; MappingError naming the first field that does
    not fit. With text_times the timestamps are already in their JSON form (a draft the domain
    completes)."""
    try:
        return json_form(model, text_times)(fields)
    except Refused as refused:
        raise _output_error(model, refused) from None


def _output_error(model: type[EventData], refused: Refused) -> MappingError:
    at = ".".join(map(str, refused.loc))
    return MappingError(f"output does not match {model.TYPE}: {at}: {refused.message}")


def draft_json(event_type: str, fields: dict[str, Any]) -> Json:
    """A draft's JSON form: the event type's check, domain-owned fields optional."""
    return event_json(draft_model(event_class(event_type)), fields)


@cache
def draft_check(event_type: str) -> tuple[type[EventData], JsonForm]:
    """The event class and its draft check, looked up once per type (the generated mappings' hot path):
    fields -> JSON form, or MappingError."""
    model = draft_model(event_class(event_type))
    form = json_form(model)

    def check(fields: dict[str, Any]) -> Json:
        try:
            return form(fields)
        except Refused as refused:
            raise _output_error(model, refused) from None

    return event_class(event_type), check
