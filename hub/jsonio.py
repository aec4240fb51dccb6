"""JSON in and out without losing money or ids to floats."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import orjson


class MalformedJSON(ValueError):
    pass


def loads(raw: bytes | str) -> Any:
    """Parse JSON keeping every number exact: floats become Decimal, big integers stay int."""
    try:
        return json.loads(raw, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedJSON(f"body is not valid JSON: {exc}") from None


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot serialize {type(value).__name__}")


def dumps(value: Any, *, pretty: bool = False) -> bytes:
    option = orjson.OPT_INDENT_2 if pretty else 0
    # Integers beyond 64 bits (orjson's limit) fall back to the standard library.
    try:
        return orjson.dumps(value, default=_default, option=option)
    except TypeError:
        return json.dumps(value, default=_default, indent=2 if pretty else None).encode()
