"""Turn raw payload values into typed ones: strings, exact integers and decimals, booleans, UTC
timestamps, enum table entries. Each converter takes (raw value, path for the error message)."""

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


def canonical(value: Any) -> str:
    """The text a value is matched by in enum and switch tables (YAML keys are strings)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def to_string(raw: Any, path: str | None) -> str:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool | int | Decimal):
        return canonical(raw)
    raise MappingError("expected a string, number or boolean", at=path, value=raw)


def to_int(raw: Any, path: str | None) -> int:
    if isinstance(raw, bool):
        raise MappingError("expected an integer, got a boolean", at=path, value=raw)
    if isinstance(raw, int):
        return raw
    if isinstance(raw, Decimal) and raw == raw.to_integral_value():
        return int(raw)
    if isinstance(raw, str) and INTEGER.match(raw.strip()):
        return int(raw)
    raise MappingError("expected an integer", at=path, value=raw)


def to_decimal(raw: Any, path: str | None) -> Decimal:
    if isinstance(raw, bool):
        raise MappingError("expected a decimal, got a boolean", at=path, value=raw)
    if isinstance(raw, float):
        raise MappingError("refusing a binary float as a decimal", at=path, value=raw)
    try:
        value = Decimal(raw.strip() if isinstance(raw, str) else raw)
    except (decimal.InvalidOperation, TypeError, ValueError):
        raise MappingError("expected a decimal number", at=path, value=raw) from None
    if not value.is_finite():
        raise MappingError("expected a finite decimal number", at=path, value=raw)
    return value


def quantize(value: Decimal, scale: int | None, rounding: str) -> str:
    if scale is not None:
        value = value.quantize(Decimal(1).scaleb(-scale), rounding=ROUNDING[rounding])
    return format(value, "f")


def to_bool(raw: Any, path: str | None) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in {"true", "false"}:
        return raw.strip().lower() == "true"
    raise MappingError("expected a boolean or the string true/false", at=path, value=raw)


def timestamp_converter(expr: s.TimestampExpr) -> Callable[[Any, str | None], datetime]:
    zone = ZoneInfo(expr.timezone) if expr.timezone else None
    fmt = expr.format

    def convert(raw: Any, path: str | None) -> datetime:
        if isinstance(raw, datetime) and raw.tzinfo is not None:  # from context or another primitive
            return raw.astimezone(UTC)
        if fmt == "iso8601":
            if not isinstance(raw, str):
                raise MappingError("expected an ISO 8601 string", at=path, value=raw)
            try:
                value = datetime.fromisoformat(raw.strip())
            except ValueError:
                raise MappingError("not an ISO 8601 timestamp", at=path, value=raw) from None
            if value.tzinfo is None:
                if zone is None:
                    raise MappingError(
                        "timestamp has no UTC offset and no timezone is declared", at=path, value=raw
                    )
                value = value.replace(tzinfo=zone)
            return value.astimezone(UTC)
        number = to_decimal(raw, path)
        micros = int(number * (1_000 if fmt == "epoch_ms" else 1_000_000))
        return EPOCH + timedelta(microseconds=micros)

    return convert


def enum_converter(expr: s.EnumExpr) -> Callable[[Any, str | None], Any]:
    table = dict(expr.values)
    known = list(table)

    def convert(raw: Any, path: str | None) -> Any:
        key = canonical(raw)
        if key not in table:
            raise MappingError(f"unknown value {key!r}", at=path, value=raw, known=known)
        return table[key]

    return convert


def per_unit(total: Decimal, units: Decimal, scale: int | None, path: str | None) -> Decimal:
    """A line total divided by its quantity: exact, or rounded only where the mapping declares a scale."""
    with decimal.localcontext() as context:
        context.prec = 60
        quotient = total / units
        if scale is None and quotient * units != total:
            raise MappingError(
                f"{total} / {units} is not exact; declare scale and rounding", at=path, value=str(total)
            )
    return quotient
