"""Value expressions built from other expressions and conditions: case and join."""

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


COMPILERS: dict[type, Callable[[Any], v.Compiled]] = {s.CaseExpr: _case, s.JoinExpr: _join}
