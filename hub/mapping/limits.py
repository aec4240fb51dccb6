"""The bounds a payload's values must keep to be mapped. Each exceeded bound is a MappingError naming the
field and the bound, so the payload is quarantined with that reason instead of costing unbounded time or
memory, or escaping as another exception (OverflowError, InvalidOperation, RecursionError, ValueError)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import orjson

from hub.mapping.errors import MappingError

MAX_INT_DIGITS = 40  # 128-bit ids have 39 digits
INT_BOUND = 10**MAX_INT_DIGITS
MAX_DECIMAL_DIGITS = 40  # significant digits of a decimal or money amount
MAX_EXPONENT = 40  # |adjusted exponent| of a decimal: 1E-40 .. 9.99E+40
MAX_TEXT = 65_536  # characters of one string in an event
# Nesting of objects and arrays in a payload. 254 is the depth orjson refuses beyond, which lets its C
# encoder check the bound; the walk below runs only when orjson refuses a payload.
MAX_DEPTH = 254
EARLIEST = datetime(1, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)


def check_int(value: int, at: str | None) -> int:
    if -INT_BOUND < value < INT_BOUND:
        return value
    raise MappingError(f"integer of more than {MAX_INT_DIGITS} digits", at=at)


def check_decimal(value: Decimal, at: str | None) -> Decimal:
    """A finite decimal within the digit and exponent bounds (checked without writing it out)."""
    digits = len(value.as_tuple().digits)
    if digits > MAX_DECIMAL_DIGITS:
        raise MappingError(f"decimal of more than {MAX_DECIMAL_DIGITS} digits", at=at)
    if not -MAX_EXPONENT <= value.adjusted() <= MAX_EXPONENT:
        raise MappingError(f"decimal exponent beyond ±{MAX_EXPONENT}", at=at, value=_short(value))
    return value


def _short(value: Decimal) -> str:
    return f"{value:.6E}"


def _refused(value: Any) -> Any:
    if isinstance(value, Decimal):
        return None
    raise TypeError


def check_depth(payload: Any) -> None:
    """Refuse a payload nested deeper than MAX_DEPTH, naming where it first does."""
    if payload.__class__ is not dict and payload.__class__ is not list:
        return
    try:
        orjson.dumps(payload, default=_refused)
        return
    except TypeError:  # too deep, or a value orjson cannot write (an integer beyond 64 bits): walk it
        pass
    stack: list[tuple[Any, int, str]] = [(payload, 1, "$")]
    while stack:
        value, depth, at = stack.pop()
        if depth > MAX_DEPTH:
            raise MappingError(f"payload nests deeper than {MAX_DEPTH} levels", at=_abbreviated(at))
        if isinstance(value, dict):
            stack.extend((v, depth + 1, f"{at}.{k}") for k, v in value.items() if isinstance(v, dict | list))
        elif isinstance(value, list):
            stack.extend(
                (v, depth + 1, f"{at}[{i}]") for i, v in enumerate(value) if isinstance(v, dict | list)
            )


def _abbreviated(path: str) -> str:
    return path if len(path) <= 120 else f"{path[:60]}…{path[-40:]}"
