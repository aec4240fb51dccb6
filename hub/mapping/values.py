"""Compile value expressions into plain functions of a Scope (payload root, current item, delivery)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from hub.mapping import items
from hub.mapping import spec as s
from hub.mapping.convert import (
    CURRENCY,
    enum_converter,
    per_unit,
    quantize,
    timestamp_converter,
    to_bool,
    to_decimal,
    to_int,
    to_string,
)
from hub.mapping.convert import (
    canonical as canonical,  # re-exported: routing and the receiver match table keys with it
)
from hub.mapping.errors import MappingError
from hub.mapping.paths import MISSING, parse, walker


@dataclass(frozen=True, slots=True)
class Context:
    connector: str
    account: str | None = None
    route: str | None = None
    received_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Scope:
    root: Any
    item: Any
    ctx: Context
    names: Mapping[str, Any] = field(default_factory=dict)

    def at(self, item: Any, names: Mapping[str, Any] | None = None) -> Scope:
        return Scope(self.root, item, self.ctx, {**self.names, **names} if names else self.names)


Compiled = Callable[[Scope], Any]


def where(expr: s.Expr) -> str | None:
    """The payload path an expression reads, for error messages."""
    if isinstance(expr, str) and expr[:1] in "$@":
        return expr
    if isinstance(expr, s.PathExpr):
        return expr.path
    if isinstance(expr, s.ContextExpr):
        return f"context {expr.name}"
    if isinstance(expr, s.CoalesceExpr):
        paths = [p for p in map(where, expr.of) if p]
        return " or ".join(paths) or None
    from_ = getattr(expr, "from_", None)
    return where(from_) if from_ is not None else None


def compile_expr(expr: s.Expr) -> Compiled:
    if expr is None or isinstance(expr, bool | int) or (isinstance(expr, str) and expr[:1] not in "$@"):
        constant = expr
        return lambda _scope: constant
    if isinstance(expr, str):
        return compile_getter(expr)
    compiler = _COMPILERS.get(type(expr))
    if compiler is None:
        raise TypeError(f"no compiler for {type(expr).__name__}")
    return compiler(expr)


def compile_getter(path: str) -> Compiled:
    """A path read from a scope: from the root, the current item or a named item."""
    anchor, segments = parse(path)
    walk = walker(segments)
    if anchor == "$":
        return lambda scope: walk(scope.root)
    if anchor == "@":
        return lambda scope: walk(scope.item)
    name = anchor[1:]

    def named(scope: Scope) -> Any:
        if name not in scope.names:
            raise MappingError(
                f"no enclosing `as:` names an item {anchor}", at=path, known=sorted(scope.names) or None
            )
        return walk(scope.names[name])

    return named


def present(value: Any) -> bool:
    """Neither missing nor null: what typed primitives and conditions treat as a value."""
    return value is not MISSING and value is not None


def _sourced(expr: Any, convert: Callable[[Any, str | None], Any]) -> Compiled:
    """Read `from`, apply default/required, then convert: the shape every typed primitive shares."""
    source = compile_expr(expr.from_)
    path = where(expr)
    default, required = expr.default, expr.required
    kind = expr.type

    def run(scope: Scope) -> Any:
        raw = source(scope)
        if not present(raw):
            if default is None:
                if required:
                    raise MappingError(f"required {kind} value is missing", at=path)
                return MISSING
            raw = default
        return convert(raw, path)

    return run


def _money(expr: s.MoneyExpr) -> Compiled:
    amount, currency = compile_expr(expr.amount), compile_expr(expr.currency)
    per = compile_expr(expr.per) if expr.per is not None else None
    amount_at, currency_at, per_at = where(expr.amount), where(expr.currency), where(expr.per)
    scale, rounding, required = expr.scale, expr.rounding, expr.required

    def run(scope: Scope) -> Any:
        raw_amount = amount(scope)
        if not present(raw_amount):
            if required:
                raise MappingError("required money amount is missing", at=amount_at)
            return MISSING
        code = currency(scope)
        if not isinstance(code, str) or not CURRENCY.match(code):
            raise MappingError("currency must be an ISO 4217 code", at=currency_at, value=code)
        value = to_decimal(raw_amount, amount_at)
        if per is not None:
            raw_units = per(scope)
            if not present(raw_units):
                raise MappingError("the quantity to divide the amount by is missing", at=per_at)
            units = to_decimal(raw_units, per_at)
            if units == 0:
                return MISSING  # no unit price can be read from zero units (a cancelled line)
            value = per_unit(value, units, scale, amount_at)
        return {"amount": quantize(value, scale, rounding), "currency": code}

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
    return lambda raw, path: quantize(to_decimal(raw, path), scale, rounding)


def _context(expr: s.ContextExpr) -> Compiled:
    name = expr.name
    return lambda scope: _or_missing(getattr(scope.ctx, name))


def _or_missing(value: Any) -> Any:
    return MISSING if value is None else value


_COMPILERS: dict[type, Callable[[Any], Compiled]] = {
    s.PathExpr: lambda e: _sourced(_PathView(e), lambda raw, _p: raw),
    s.ConstExpr: lambda e: _constant(e.value),
    s.ContextExpr: _context,
    s.StringExpr: lambda e: _sourced(e, to_string),
    s.IntExpr: lambda e: _sourced(e, to_int),
    s.DecimalExpr: lambda e: _sourced(e, _decimal_converter(e)),
    s.BoolExpr: lambda e: _sourced(e, to_bool),
    s.TimestampExpr: lambda e: _sourced(e, timestamp_converter(e)),
    s.MoneyExpr: _money,
    s.EnumExpr: lambda e: _sourced(e, enum_converter(e)),
    s.ListExpr: items.compile_list,
    s.SumExpr: items.compile_sum,
    s.PickExpr: items.compile_pick,
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


# Registered last: conditions and combinators compile their parts with compile_expr above.
from hub.mapping import combinators as _combinators  # noqa: E402
from hub.mapping.conditions import Predicate, compile_condition  # noqa: E402

__all__ = [
    "Compiled",
    "Context",
    "Predicate",
    "Scope",
    "canonical",
    "compile_condition",
    "compile_expr",
    "where",
]

_COMPILERS.update(_combinators.COMPILERS)
