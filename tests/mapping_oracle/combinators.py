"""The oracle's value expressions built from other expressions and conditions: object, coalesce,
format, array, keys, holds, case and join."""

from __future__ import annotations

from typing import Any

from hub.mapping import spec as s
from hub.mapping.convert import canonical, join_items
from hub.mapping.paths import MISSING
from hub.mapping.spec import where
from tests.mapping_oracle.scope import EXPRS, Compiled, Scope, compile_condition, compile_expr, present


def _case(expr: s.CaseExpr) -> Compiled:
    branches = [(compile_condition(b.when), compile_expr(b.value)) for b in expr.cases]
    otherwise = compile_expr(expr.otherwise) if expr.otherwise is not None else None

    def run(scope: Scope) -> Any:
        for holds, value in branches:
            if holds(scope):
                return value(scope)
        return otherwise(scope) if otherwise is not None else MISSING

    return run


def _join(expr: s.JoinExpr) -> Compiled:
    items, at, separator, distinct = (
        compile_expr(expr.from_),
        where(expr.from_),
        expr.separator,
        expr.distinct,
    )

    def run(scope: Scope) -> Any:
        return join_items(items(scope), at, separator, distinct)

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
            if present(value):
                return value
        return MISSING

    return run


def _format(expr: s.FormatExpr) -> Compiled:
    args = [(name, compile_expr(e), where(e)) for name, e in expr.args.items()]
    template = expr.template

    def run(scope: Scope) -> Any:
        values = {}
        for name, fn, at in args:
            value = fn(scope)
            if not present(value):
                return MISSING
            values[name] = canonical(value, at)
        return template.format_map(values)

    return run


def _array(expr: s.ArrayExpr) -> Compiled:
    values = [compile_expr(e) for e in expr.of]

    def run(scope: Scope) -> Any:
        return [x for x in (value(scope) for value in values) if x is not MISSING and x is not None]

    return run


def _keys(expr: s.KeysExpr) -> Compiled:
    source = compile_expr(expr.from_)

    def run(scope: Scope) -> Any:
        value = source(scope)
        return list(value) if isinstance(value, dict) else MISSING

    return run


def _holds(expr: s.HoldsExpr) -> Compiled:
    test = compile_condition(expr.cond)
    return lambda scope: test(scope)


EXPRS.update(
    {
        s.HoldsExpr: _holds,
        s.ObjectExpr: _object,
        s.CoalesceExpr: _coalesce,
        s.FormatExpr: _format,
        s.ArrayExpr: _array,
        s.KeysExpr: _keys,
        s.CaseExpr: _case,
        s.JoinExpr: _join,
    }
)
