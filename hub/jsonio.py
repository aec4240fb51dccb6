"""JSON in and out without losing money or ids to floats."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import msgspec
import orjson


class MalformedJSON(ValueError):
    pass


# msgspec hands each number with a fraction or exponent over as its text: exact, as parse_float=Decimal.
_FAST = msgspec.json.Decoder(float_hook=Decimal)


def loads(raw: bytes | str) -> Any:
    """Parse JSON keeping every number exact: floats become Decimal, big integers stay int.

    msgspec parses what strict JSON allows, two to three times faster than the standard library; whatever
    it refuses (a byte-order mark, NaN, UTF-16, a lone surrogate, malformed text) goes to the standard
    library, which accepts what it always accepted and words the error as it always did. Nesting deeper
    than the interpreter's stack is malformed too, whoever parses it."""
    try:
        try:
            return _FAST.decode(raw)
        except msgspec.DecodeError:
            pass
        return json.loads(raw, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedJSON(f"body is not valid JSON: {exc}") from None
    except RecursionError:
        raise MalformedJSON("body is not valid JSON: nested too deeply") from None


_EXACT = msgspec.json.Encoder(decimal_format="number", order="sorted")


def dumps_exact(value: Any) -> bytes:
    """A value parsed by `loads` written back with its numbers as numbers (a pulled record's body)."""
    return _EXACT.encode(value)


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


def json_text(value: Any) -> str:
    """The text of a JSON column (outbox headers, quarantine detail): compact, through orjson; what orjson
    refuses (an integer beyond 64 bits) through the standard library."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
