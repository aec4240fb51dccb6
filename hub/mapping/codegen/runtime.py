"""The names the generated code calls: converters, errors, and the helpers below."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from hub.mapping.context import header
from hub.mapping.convert import (
    CURRENCY,
    EPOCH,
    add,
    blank,
    canonical,
    entries_of,
    join_items,
    negate,
    per_unit,
    quantize,
    run_jsonata,
    to_bool,
    to_decimal,
    to_int,
    to_string,
)
from hub.mapping.drafts import draft_check
from hub.mapping.errors import MappingError
from hub.mapping.parts import relocated
from hub.mapping.paths import MISSING, NotAnArray
from hub.mapping.result import Draft


@dataclass(slots=True)
class Emission:
    """What a generated mapping appends to while it runs: the drafts, and why statuses were ignored."""

    drafts: list[Draft] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def _make_draft(event_type: str, fields: dict[str, Any], local_id: str) -> Draft:
    event, check = draft_check(event_type)
    return Draft(None, local_id, event, json=check(fields))


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
    "canonical": canonical,
    "to_string": to_string,
    "to_int": to_int,
    "to_bool": to_bool,
    "to_decimal": to_decimal,
    "add": add,
    "quantize": quantize,
    "per_unit": per_unit,
    "CURRENCY": CURRENCY,
    "EPOCH": EPOCH,
    "timedelta": timedelta,
    "Decimal": Decimal,
    "join_items": join_items,
    "blank": blank,
    "negate": negate,
    "entries_of": entries_of,
    "header": header,
    "relocated": relocated,
    "run_jsonata": run_jsonata,
    "_make_draft": _make_draft,
    "_comparable": _comparable,
    "_same": _same,
}
