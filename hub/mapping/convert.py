"""Turn raw payload values into typed ones: strings, exact integers and decimals, booleans, UTC
timestamps, enum table entries. Each converter takes (raw value, path for the error message) and keeps to
the bounds of limits.py: what exceeds them is a MappingError, never another exception."""

from __future__ import annotations

import decimal
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from hub.mapping import spec as s
from hub.mapping.errors import MappingError
from hub.mapping.limits import EARLIEST, LATEST, MAX_INT_DIGITS, check_decimal, check_int
from hub.mapping.paths import MISSING

ROUNDING = {
    "half_even": decimal.ROUND_HALF_EVEN,
    "half_up": decimal.ROUND_HALF_UP,
    "half_down": decimal.ROUND_HALF_DOWN,
    "down": decimal.ROUND_DOWN,
    "up": decimal.ROUND_UP,
    "floor": decimal.ROUND_FLOOR,
    "ceiling": decimal.ROUND_CEILING,
}
INTEGER = re.compile(r"^-?[0-9]+$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Wide enough that sums, quotients and quantizing of bounded decimals never round unasked (the default
# context keeps 28 digits).
EXACT = decimal.Context(prec=200, Emax=999_999, Emin=-999_999)
_PER_SECOND = {"epoch_s": 1, "epoch_ms": 1_000}


def canonical(value: Any, at: str | None = None) -> str:
    """The text a value is matched by in enum and switch tables (YAML keys are strings)."""
    if value.__class__ is str:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(check_int(value, at))
    if isinstance(value, Decimal):
        return format(check_decimal(value, at), "f") if value.is_finite() else str(value)
    try:
        return str(value)
    except ValueError:  # a list or object holding an integer beyond the digits CPython writes as text
        raise MappingError(f"integer of more than {MAX_INT_DIGITS} digits", at=at) from None


def to_string(raw: Any, path: str | None) -> str:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool | int | Decimal):
        return canonical(raw, path)
    raise MappingError("expected a string, number or boolean", at=path, value=raw)


def to_int(raw: Any, path: str | None) -> int:
    if isinstance(raw, bool):
        raise MappingError("expected an integer, got a boolean", at=path, value=raw)
    if isinstance(raw, int):
        return raw
    if isinstance(raw, Decimal) and raw.is_finite():
        check_decimal(raw, path)
        if raw == raw.to_integral_value():
            return check_int(int(raw), path)
    if isinstance(raw, str) and INTEGER.match(text := raw.strip()):
        if len(text.lstrip("-")) > MAX_INT_DIGITS:
            raise MappingError(f"integer of more than {MAX_INT_DIGITS} digits", at=path)
        return int(text)
    raise MappingError("expected an integer", at=path, value=raw)


def to_decimal(raw: Any, path: str | None) -> Decimal:
    if isinstance(raw, bool):
        raise MappingError("expected a decimal, got a boolean", at=path, value=raw)
    if isinstance(raw, float):
        raise MappingError("refusing a binary float as a decimal", at=path, value=raw)
    if isinstance(raw, int):
        check_int(raw, path)
    try:
        value = Decimal(raw.strip() if isinstance(raw, str) else raw)
    except (decimal.InvalidOperation, TypeError, ValueError):
        raise MappingError("expected a decimal number", at=path, value=raw) from None
    if not value.is_finite():
        raise MappingError("expected a finite decimal number", at=path, value=raw)
    return check_decimal(value, path)


def add(total: Decimal, value: Decimal) -> Decimal:
    return EXACT.add(total, value)


def quantize(value: Decimal, scale: int | None, rounding: str) -> str:
    if scale is not None:
        value = value.quantize(Decimal(1).scaleb(-scale), rounding=ROUNDING[rounding], context=EXACT)
    return format(value, "f")


def to_bool(raw: Any, path: str | None) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in {"true", "false"}:
        return raw.strip().lower() == "true"
    raise MappingError("expected a boolean or the string true/false", at=path, value=raw)


def epoch_range(fmt: str) -> tuple[int, int]:
    """The integers an epoch format can name a time by: years 1 to 9999."""
    per = _PER_SECOND[fmt]
    span = (EARLIEST - EPOCH, LATEST - EPOCH)
    return span[0] // timedelta(seconds=1) * per, span[1] // timedelta(seconds=1) * per + per - 1


def _out_of_range(path: str | None, raw: Any) -> MappingError:
    return MappingError("timestamp outside the years 1 to 9999", at=path, value=raw)


def timestamp_converter(expr: s.TimestampExpr) -> Callable[[Any, str | None], datetime]:
    zone = ZoneInfo(expr.timezone) if expr.timezone else None
    fmt = expr.format

    def convert(raw: Any, path: str | None) -> datetime:
        if isinstance(raw, datetime) and raw.tzinfo is not None:  # from context or another primitive
            try:
                return raw.astimezone(UTC)
            except OverflowError:
                raise _out_of_range(path, raw) from None
        if fmt == "iso8601":
            return _iso(raw, path, zone)
        number = to_decimal(raw, path)
        micros = int(EXACT.multiply(number, 1_000_000 // _PER_SECOND[fmt]))
        lo, hi = epoch_range("epoch_ms")
        if not lo * 1_000 <= micros <= hi * 1_000 + 999:
            raise _out_of_range(path, raw)
        return EPOCH + timedelta(microseconds=micros)

    return convert


def _iso(raw: Any, path: str | None, zone: ZoneInfo | None) -> datetime:
    if not isinstance(raw, str):
        raise MappingError("expected an ISO 8601 string", at=path, value=raw)
    try:
        value = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise MappingError("not an ISO 8601 timestamp", at=path, value=raw) from None
    if value.tzinfo is None:
        if zone is None:
            raise MappingError("timestamp has no UTC offset and no timezone is declared", at=path, value=raw)
        value = value.replace(tzinfo=zone)
    try:
        return value.astimezone(UTC)
    except OverflowError:  # an offset that moves year 1 or 9999 out of range
        raise _out_of_range(path, raw) from None


def enum_converter(expr: s.EnumExpr) -> Callable[[Any, str | None], Any]:
    table = dict(expr.values)
    known = list(table)

    def convert(raw: Any, path: str | None) -> Any:
        key = canonical(raw, path)
        if key not in table:
            raise MappingError(f"unknown value {key!r}", at=path, value=raw, known=known)
        return table[key]

    return convert


def per_unit(total: Decimal, units: Decimal, scale: int | None, path: str | None) -> Decimal:
    """A line total divided by its quantity: exact, or rounded only where the mapping declares a scale."""
    quotient = EXACT.divide(total, units)
    if scale is None and EXACT.multiply(quotient, units) != total:
        raise MappingError(
            f"{total} / {units} is not exact; declare scale and rounding", at=path, value=str(total)
        )
    return quotient


def join_items(value: Any, at: str | None, separator: str, distinct: bool) -> Any:
    """The items of an array as one text (`type: join`); MISSING when there is nothing to say."""
    if value is MISSING or value is None:
        return MISSING
    if not isinstance(value, list):
        raise MappingError("expected an array to join", at=at, value=type(value).__name__)
    if any(isinstance(i, dict | list) for i in value):
        raise MappingError("can only join strings, numbers and booleans", at=at)
    texts = [canonical(i, at) for i in value if i is not None]
    if not texts:
        return MISSING  # nothing to say is absent, not an empty string
    return separator.join(dict.fromkeys(texts) if distinct else texts)


def _jsonata_input(value: Any) -> Any:
    """JSONata's numbers are IEEE doubles (its specification says so), so exact decimals are handed over
    as numbers here: never compute money in a JSONata expression; use the money primitive."""
    if isinstance(value, Decimal):
        if value.is_finite() and value.adjusted() < 18 and value == value.to_integral_value():
            return int(value)
        return float(value)  # beyond 2**53 a double is what JSONata would hold anyway
    if isinstance(value, dict):
        return {k: _jsonata_input(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonata_input(v) for v in value]
    return value


def run_jsonata(program: Any, text: str, root: Any, item: Any) -> Any:
    """Evaluate a compiled JSONata program (`$` the payload root, `$item` the current item)."""
    try:
        return program.evaluate(_jsonata_input(root), {"item": _jsonata_input(item)})
    except Exception as exc:  # jsonata raises its own error types for bad data
        raise MappingError(f"jsonata expression failed: {exc}", at=text) from None


def blank(value: Any) -> bool:
    """An empty string, or one of spaces only: what `empty: missing` counts as missing."""
    return value.__class__ is str and not value.strip()


def negate(value: Decimal) -> Decimal:
    """The amount with its sign flipped, exactly (no context rounds it); zero stays unsigned."""
    return value.copy_negate() if value else value.copy_abs()


def entries_of(value: Any, at: str | None) -> list[dict[str, Any]]:
    """An object's entries as items {key, value}, in the payload's order (`entries: true`)."""
    if not isinstance(value, dict):
        raise MappingError(f"expected an object for its entries, found {type(value).__name__}", at=at)
    return [{"key": key, "value": inner} for key, inner in value.items()]
