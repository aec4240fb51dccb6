"""Compile value expressions into plain functions of a Scope (payload root, current item, delivery)."""

from __future__ import annotations

import decimal
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from hub.mapping import spec as s
from hub.mapping.errors import MappingError
from hub.mapping.paths import MISSING, compile_path


@dataclass(frozen=True, slots=True)
class Context:
    connector: str
    account: str | None = None
    route: str | None = None


@dataclass(frozen=True, slots=True)
class Scope:
    root: Any
    item: Any
    ctx: Context

    def at(self, item: Any) -> Scope:
        return Scope(self.root, item, self.ctx)


Compiled = Callable[[Scope], Any]

_ROUNDING = {
    "half_even": decimal.ROUND_HALF_EVEN,
    "half_up": decimal.ROUND_HALF_UP,
    "half_down": decimal.ROUND_HALF_DOWN,
    "down": decimal.ROUND_DOWN,
    "up": decimal.ROUND_UP,
    "floor": decimal.ROUND_FLOOR,
    "ceiling": decimal.ROUND_CEILING,
}
_INTEGER = re.compile(r"^-?[0-9]+$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def canonical(value: Any) -> str:
    """The text a value is matched by in enum and switch tables (YAML keys are strings)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def where(expr: s.Expr) -> str | None:
    """The payload path an expression reads, for error messages."""
    if isinstance(expr, str) and expr[:1] in "$@":
        return expr
    if isinstance(expr, s.PathExpr):
        return expr.path
    from_ = getattr(expr, "from_", None)
    return where(from_) if from_ is not None else None


def compile_expr(expr: s.Expr) -> Compiled:
    if expr is None or isinstance(expr, bool | int) or (isinstance(expr, str) and expr[:1] not in "$@"):
        constant = expr
        return lambda _scope: constant
    if isinstance(expr, str):
        getter = compile_path(expr)
        return lambda scope: getter(scope.root, scope.item)
    compiler = _COMPILERS.get(type(expr))
    if compiler is None:
        raise TypeError(f"no compiler for {type(expr).__name__}")
    return compiler(expr)


def _present(value: Any) -> bool:
    return value is not MISSING and value is not None


def _sourced(expr: Any, convert: Callable[[Any, str | None], Any]) -> Compiled:
    """Read `from`, apply default/required, then convert: the shape every typed primitive shares."""
    source = compile_expr(expr.from_)
    path = where(expr)
    default, required = expr.default, expr.required
    kind = expr.type

    def run(scope: Scope) -> Any:
        raw = source(scope)
        if not _present(raw):
            if default is None:
                if required:
                    raise MappingError(f"required {kind} value is missing", at=path)
                return MISSING
            raw = default
        return convert(raw, path)

    return run


def _to_string(raw: Any, path: str | None) -> str:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool | int | Decimal):
        return canonical(raw)
    raise MappingError("expected a string, number or boolean", at=path, value=raw)


def _to_int(raw: Any, path: str | None) -> int:
    if isinstance(raw, bool):
        raise MappingError("expected an integer, got a boolean", at=path, value=raw)
    if isinstance(raw, int):
        return raw
    if isinstance(raw, Decimal) and raw == raw.to_integral_value():
        return int(raw)
    if isinstance(raw, str) and _INTEGER.match(raw.strip()):
        return int(raw)
    raise MappingError("expected an integer", at=path, value=raw)


def _to_decimal(raw: Any, path: str | None) -> Decimal:
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


def _quantize(value: Decimal, scale: int | None, rounding: str) -> str:
    if scale is not None:
        value = value.quantize(Decimal(1).scaleb(-scale), rounding=_ROUNDING[rounding])
    return format(value, "f")


def _to_bool(raw: Any, path: str | None) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in {"true", "false"}:
        return raw.strip().lower() == "true"
    raise MappingError("expected a boolean or the string true/false", at=path, value=raw)


def _timestamp_converter(expr: s.TimestampExpr) -> Callable[[Any, str | None], datetime]:
    zone = ZoneInfo(expr.timezone) if expr.timezone else None
    fmt = expr.format

    def convert(raw: Any, path: str | None) -> datetime:
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
        number = _to_decimal(raw, path)
        micros = int(number * (1_000 if fmt == "epoch_ms" else 1_000_000))
        return _EPOCH + timedelta(microseconds=micros)

    return convert


def _enum_converter(expr: s.EnumExpr) -> Callable[[Any, str | None], Any]:
    table = dict(expr.values)
    known = list(table)

    def convert(raw: Any, path: str | None) -> Any:
        key = canonical(raw)
        if key not in table:
            raise MappingError(f"unknown value {key!r}", at=path, value=raw, known=known)
        return table[key]

    return convert


def _per_unit(total: Decimal, units: Decimal, scale: int | None, path: str | None) -> Decimal:
    """A line total divided by its quantity: exact, or rounded only where the mapping declares a scale."""
    with decimal.localcontext() as context:
        context.prec = 60
        quotient = total / units
        if scale is None and quotient * units != total:
            raise MappingError(
                f"{total} / {units} is not exact; declare scale and rounding", at=path, value=str(total)
            )
    return quotient


def _money(expr: s.MoneyExpr) -> Compiled:
    amount, currency = compile_expr(expr.amount), compile_expr(expr.currency)
    per = compile_expr(expr.per) if expr.per is not None else None
    amount_at, currency_at, per_at = where(expr.amount), where(expr.currency), where(expr.per)
    scale, rounding, required = expr.scale, expr.rounding, expr.required

    def run(scope: Scope) -> Any:
        raw_amount = amount(scope)
        if not _present(raw_amount):
            if required:
                raise MappingError("required money amount is missing", at=amount_at)
            return MISSING
        code = currency(scope)
        if not isinstance(code, str) or not _CURRENCY.match(code):
            raise MappingError("currency must be an ISO 4217 code", at=currency_at, value=code)
        value = _to_decimal(raw_amount, amount_at)
        if per is not None:
            raw_units = per(scope)
            if not _present(raw_units):
                raise MappingError("the quantity to divide the amount by is missing", at=per_at)
            units = _to_decimal(raw_units, per_at)
            if units == 0:
                return MISSING  # no unit price can be read from zero units (a cancelled line)
            value = _per_unit(value, units, scale, amount_at)
        return {"amount": _quantize(value, scale, rounding), "currency": code}

    return run


def _list(expr: s.ListExpr) -> Compiled:
    items_at = expr.from_
    getter = compile_path(items_at)
    item = compile_expr(expr.item)
    keep = compile_condition(expr.where) if expr.where else None

    def run(scope: Scope) -> Any:
        items = getter(scope.root, scope.item)
        if not _present(items):
            return MISSING
        if not isinstance(items, list):
            raise MappingError("expected an array", at=items_at, value=type(items).__name__)
        out = []
        for element in items:
            inner = scope.at(element)
            if keep is None or keep(inner):
                value = item(inner)
                if value is not MISSING:
                    out.append(value)
        return out

    return run


def _object(expr: s.ObjectExpr) -> Compiled:
    fields = [(name, compile_expr(e)) for name, e in expr.fields.items()]

    def run(scope: Scope) -> Any:
        out = {}
        for name, fn in fields:
            value = fn(scope)
            if value is not MISSING:
                out[name] = value
        return out

    return run


def _coalesce(expr: s.CoalesceExpr) -> Compiled:
    options = [compile_expr(e) for e in expr.of]

    def run(scope: Scope) -> Any:
        for option in options:
            value = option(scope)
            if _present(value):
                return value
        return MISSING

    return run


def _format(expr: s.FormatExpr) -> Compiled:
    args = [(name, compile_expr(e)) for name, e in expr.args.items()]
    template = expr.template

    def run(scope: Scope) -> Any:
        values = {}
        for name, fn in args:
            value = fn(scope)
            if not _present(value):
                return MISSING
            values[name] = canonical(value)
        return template.format_map(values)

    return run


def _jsonata_input(value: Any) -> Any:
    """JSONata's numbers are IEEE doubles (its specification says so), so exact decimals are handed over
    as numbers here: never compute money in a JSONata expression; use the money primitive."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _jsonata_input(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonata_input(v) for v in value]
    return value


def _jsonata(expr: s.JsonataExpr) -> Compiled:
    import jsonata

    program = jsonata.Jsonata(expr.expr)
    text, required = expr.expr, expr.required

    def run(scope: Scope) -> Any:
        try:
            value = program.evaluate(_jsonata_input(scope.root), {"item": _jsonata_input(scope.item)})
        except Exception as exc:  # jsonata raises its own error types for bad data
            raise MappingError(f"jsonata expression failed: {exc}", at=text) from None
        if value is None:
            if required:
                raise MappingError("jsonata expression gave no value", at=text)
            return MISSING
        return value

    return run


def _constant(value: Any) -> Compiled:
    return lambda _scope: value


def _decimal_converter(expr: s.DecimalExpr) -> Callable[[Any, str | None], str]:
    scale, rounding = expr.scale, expr.rounding
    return lambda raw, path: _quantize(_to_decimal(raw, path), scale, rounding)


def _context(expr: s.ContextExpr) -> Compiled:
    name = expr.name
    return lambda scope: getattr(scope.ctx, name)


_COMPILERS: dict[type, Callable[[Any], Compiled]] = {
    s.PathExpr: lambda e: _sourced(_PathView(e), lambda raw, _p: raw),
    s.ConstExpr: lambda e: _constant(e.value),
    s.ContextExpr: _context,
    s.StringExpr: lambda e: _sourced(e, _to_string),
    s.IntExpr: lambda e: _sourced(e, _to_int),
    s.DecimalExpr: lambda e: _sourced(e, _decimal_converter(e)),
    s.BoolExpr: lambda e: _sourced(e, _to_bool),
    s.TimestampExpr: lambda e: _sourced(e, _timestamp_converter(e)),
    s.MoneyExpr: _money,
    s.EnumExpr: lambda e: _sourced(e, _enum_converter(e)),
    s.ListExpr: _list,
    s.ObjectExpr: _object,
    s.CoalesceExpr: _coalesce,
    s.FormatExpr: _format,
    s.JsonataExpr: _jsonata,
}


@dataclass(frozen=True, slots=True)
class _PathView:
    """A path expression seen through the `from`/default/required shape of the typed primitives."""

    source: s.PathExpr

    @property
    def from_(self) -> str:
        return self.source.path

    @property
    def default(self) -> Any:
        return self.source.default

    @property
    def required(self) -> bool:
        return self.source.required

    @property
    def type(self) -> str:
        return "path"


# -- conditions

Predicate = Callable[[Scope], bool]


def compile_condition(cond: s.Condition) -> Predicate:
    if isinstance(cond, s.EqualsCond):
        value, expected = compile_expr(cond.from_), canonical(cond.value)
        return lambda scope: _present(v := value(scope)) and canonical(v) == expected
    if isinstance(cond, s.InCond):
        value, allowed = compile_expr(cond.from_), {canonical(v) for v in cond.values}
        return lambda scope: _present(v := value(scope)) and canonical(v) in allowed
    if isinstance(cond, s.ContainsCond):
        items, wanted = compile_expr(cond.from_), canonical(cond.value)
        return lambda scope: isinstance(v := items(scope), list) and any(canonical(i) == wanted for i in v)
    if isinstance(cond, s.ExistsCond):
        value = compile_expr(cond.from_)
        return lambda scope: _present(value(scope))
    if isinstance(cond, s.NotCond):
        inner = compile_condition(cond.cond)
        return lambda scope: not inner(scope)
    if isinstance(cond, s.AllCond):
        parts = [compile_condition(c) for c in cond.of]
        return lambda scope: all(p(scope) for p in parts)
    parts = [compile_condition(c) for c in cond.of]
    return lambda scope: any(p(scope) for p in parts)


# Registered last: these compile their parts with compile_expr and compile_condition above.
from hub.mapping import combinators as _combinators  # noqa: E402

_COMPILERS.update(_combinators.COMPILERS)
