"""Value expressions built from other expressions and conditions: object, coalesce, format, array,
keys, holds, case and join."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hub.mapping import spec as s
from hub.mapping import values as v
from hub.mapping.errors import MappingError
from hub.mapping.paths import MISSING


def _case(expr: s.CaseExpr) -> v.Compiled:
    branches = [(v.compile_condition(b.when), v.compile_expr(b.value)) for b in expr.cases]
    otherwise = v.compile_expr(expr.otherwise) if expr.otherwise is not None else None

    def run(scope: v.Scope) -> Any:
        for holds, value in branches:
            if holds(scope):
                return value(scope)
        return otherwise(scope) if otherwise is not None else MISSING

    return run


def _join(expr: s.JoinExpr) -> v.Compiled:
    items, at, separator, distinct = (
        v.compile_expr(expr.from_),
        v.where(expr.from_),
        expr.separator,
        expr.distinct,
    )

    def run(scope: v.Scope) -> Any:
        value = items(scope)
        if value is MISSING or value is None:
            return MISSING
        if not isinstance(value, list):
            raise MappingError("expected an array to join", at=at, value=type(value).__name__)
        if any(isinstance(i, dict | list) for i in value):
            raise MappingError("can only join strings, numbers and booleans", at=at)
        texts = [v.canonical(i) for i in value if i is not None]
        if not texts:
            return MISSING  # nothing to say is absent, not an empty string
        return separator.join(dict.fromkeys(texts) if distinct else texts)

    return run


def _object(expr: s.ObjectExpr) -> v.Compiled:
    fields = [(name, v.compile_expr(e)) for name, e in expr.fields.items()]

    def run(scope: v.Scope) -> Any:
        out = {}
        for name, fn in fields:
            value = fn(scope)
            if value is not MISSING:
                out[name] = value
        return out

    return run


def _coalesce(expr: s.CoalesceExpr) -> v.Compiled:
    options = [v.compile_expr(e) for e in expr.of]

    def run(scope: v.Scope) -> Any:
        for option in options:
            value = option(scope)
            if v.present(value):
                return value
        return MISSING

    return run


def _format(expr: s.FormatExpr) -> v.Compiled:
    args = [(name, v.compile_expr(e)) for name, e in expr.args.items()]
    template = expr.template

    def run(scope: v.Scope) -> Any:
        values = {}
        for name, fn in args:
            value = fn(scope)
            if not v.present(value):
                return MISSING
            values[name] = v.canonical(value)
        return template.format_map(values)

    return run


def _array(expr: s.ArrayExpr) -> v.Compiled:
    values = [v.compile_expr(e) for e in expr.of]

    def run(scope: v.Scope) -> Any:
        return [x for x in (value(scope) for value in values) if x is not MISSING and x is not None]

    return run


def _keys(expr: s.KeysExpr) -> v.Compiled:
    source = v.compile_expr(expr.from_)

    def run(scope: v.Scope) -> Any:
        value = source(scope)
        return list(value) if isinstance(value, dict) else MISSING

    return run


def _holds(expr: s.HoldsExpr) -> v.Compiled:
    test = v.compile_condition(expr.cond)
    return lambda scope: test(scope)


COMPILERS: dict[type, Callable[[Any], v.Compiled]] = {
    s.HoldsExpr: _holds,
    s.ObjectExpr: _object,
    s.CoalesceExpr: _coalesce,
    s.FormatExpr: _format,
    s.ArrayExpr: _array,
    s.KeysExpr: _keys,
    s.CaseExpr: _case,
    s.JoinExpr: _join,
}
