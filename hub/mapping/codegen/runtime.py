"""The names the generated code calls: converters, errors, and the helpers below."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hub.events.catalog import event_class
from hub.mapping.convert import (
    CURRENCY,
    EPOCH,
    canonical,
    per_unit,
    quantize,
    to_bool,
    to_decimal,
    to_int,
    to_string,
)
from hub.mapping.drafts import draft_json
from hub.mapping.errors import MappingError
from hub.mapping.paths import MISSING, NotAnArray
from hub.mapping.result import Draft
from hub.mapping.values import Scope


def _make_draft(event_type: str, fields: dict[str, Any], local_id: str) -> Draft:
    data, model = draft_json(event_type, fields)
    return Draft(model, local_id, event_class(event_type), json=data)


def _comparable(value: Any, at: str | None) -> Any:
    if isinstance(value, datetime):
        return value
    return to_decimal(value, at)


def _same(values: list[Any]) -> bool:
    return (
        all(v is not MISSING and v is not None for v in values) and len({canonical(v) for v in values}) == 1
    )


NAMES: dict[str, Any] = {
    "MISSING": MISSING,
    "MappingError": MappingError,
    "NotAnArray": NotAnArray,
    "Scope": Scope,
    "canonical": canonical,
    "to_string": to_string,
    "to_int": to_int,
    "to_bool": to_bool,
    "to_decimal": to_decimal,
    "quantize": quantize,
    "per_unit": per_unit,
    "CURRENCY": CURRENCY,
    "EPOCH": EPOCH,
    "timedelta": timedelta,
    "Decimal": __import__("decimal").Decimal,
    "_make_draft": _make_draft,
    "_comparable": _comparable,
    "_same": _same,
}
