"""The oracle's typed primitives: path, const, context, string, int, decimal, bool, timestamp, money,
enum and jsonata, as closures over a Scope."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hub.mapping import spec as s
from hub.mapping.context import header
from hub.mapping.convert import (
    CURRENCY,
    blank,
    canonical,
    enum_converter,
    negate,
    per_unit,
    quantize,
    run_jsonata,
    timestamp_converter,
    to_bool,
    to_decimal,
    to_int,
    to_string,
)
from hub.mapping.errors import MappingError
from hub.mapping.paths import MISSING
from hub.mapping.spec import where
from tests.mapping_oracle.scope import EXPRS, Compiled, Scope, compile_expr, parts, present


def _sourced(
    expr: Any, convert: Callable[[Any, str | None], Any], source: Compiled | None = None
) -> Compiled:
    """Read `from`, apply empty/default/required, then convert: the shape every typed primitive shares."""
    source = source or compile_expr(expr.from_)
    path = where(getattr(expr, "source", expr))
    default, required = expr.default, expr.required
    kind = expr.type
    empty = getattr(expr, "empty", None) == "missing"

    def run(scope: Scope) -> Any:
        raw = source(scope)
        if empty and blank(raw):
            raw = MISSING
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
    empty, flip = expr.empty == "missing", expr.negate

    def run(scope: Scope) -> Any:
        raw_amount = amount(scope)
        if empty and blank(raw_amount):
            raw_amount = MISSING
        if not present(raw_amount):
            if required:
                raise MappingError("required money amount is missing", at=amount_at)
            return MISSING
        code = currency(scope)
        if not isinstance(code, str) or not CURRENCY.match(code):
            raise MappingError("currency must be an ISO 4217 code", at=currency_at, value=code)
        value = to_decimal(raw_amount, amount_at)
        if flip:
            value = negate(value)
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


def _jsonata(expr: s.JsonataExpr) -> Compiled:
    import jsonata

    program = jsonata.Jsonata(expr.expr)
    text, required = expr.expr, expr.required

    def run(scope: Scope) -> Any:
        value = run_jsonata(program, text, scope.root, scope.item)
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


def _header(expr: s.HeaderExpr) -> Compiled:
    name = expr.name
    return _sourced(
        _FromView(expr, "header"), lambda raw, _p: raw, lambda scope: header(scope.ctx.headers, name)
    )


def _lookup(expr: s.LookupExpr) -> Compiled:
    table = parts().table(expr.table)
    key_of, at = compile_expr(expr.from_), where(expr)
    default, required, empty = expr.default, expr.required, expr.empty == "missing"

    def run(scope: Scope) -> Any:
        key = key_of(scope)
        if empty and blank(key):
            key = MISSING
        row = table.rows.get(canonical(key, at)) if present(key) else None
        value = row.get(expr.field) if row is not None else None
        if value is not None:
            return value
        if default is not None:
            return default
        if not required:
            return MISSING
        if not present(key):
            raise MappingError("required lookup value is missing", at=at)
        text = canonical(key, at)
        message = (
            f"lookup table {expr.table} has no row {text!r}"
            if row is None
            else f"row {text!r} of lookup table {expr.table} has no {expr.field}"
        )
        raise MappingError(message, at=at, value=key, known=list(table.rows))

    return run


@dataclass(frozen=True, slots=True)
class _FromView:
    """A path or header expression seen through the `from`/default/required shape of typed primitives."""

    source: s.PathExpr | s.HeaderExpr
    type: str

    @property
    def from_(self) -> str:
        return self.source.path if isinstance(self.source, s.PathExpr) else "$"

    @property
    def default(self) -> Any:
        return self.source.default

    @property
    def required(self) -> bool:
        return self.source.required

    @property
    def empty(self) -> Any:
        return getattr(self.source, "empty", None)


EXPRS.update(
    {
        s.PathExpr: lambda e: _sourced(_FromView(e, "path"), lambda raw, _p: raw),
        s.HeaderExpr: _header,
        s.LookupExpr: _lookup,
        s.ConstExpr: lambda e: _constant(e.value),
        s.ContextExpr: _context,
        s.StringExpr: lambda e: _sourced(e, to_string),
        s.IntExpr: lambda e: _sourced(e, to_int),
        s.DecimalExpr: lambda e: _sourced(e, _decimal_converter(e)),
        s.BoolExpr: lambda e: _sourced(e, to_bool),
        s.TimestampExpr: lambda e: _sourced(e, timestamp_converter(e)),
        s.MoneyExpr: _money,
        s.EnumExpr: lambda e: _sourced(e, enum_converter(e)),
        s.JsonataExpr: _jsonata,
    }
)
