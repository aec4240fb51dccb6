"""Compile conditions (`when:`, `where:`, `case` branches) into predicates over a Scope."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hub.mapping import items
from hub.mapping import spec as s
from hub.mapping import values as vals

Predicate = Callable[[vals.Scope], bool]


def compile_condition(cond: s.Condition) -> Predicate:
    if isinstance(cond, s.EqualsCond):
        value, expected = vals.compile_expr(cond.from_), vals.canonical(cond.value)
        return lambda scope: vals.present(v := value(scope)) and vals.canonical(v) == expected
    if isinstance(cond, s.InCond):
        value, allowed = vals.compile_expr(cond.from_), {vals.canonical(v) for v in cond.values}
        return lambda scope: vals.present(v := value(scope)) and vals.canonical(v) in allowed
    if isinstance(cond, s.ContainsCond):
        listed, wanted = vals.compile_expr(cond.from_), vals.canonical(cond.value)
        return lambda scope: (
            isinstance(v := listed(scope), list) and any(vals.canonical(i) == wanted for i in v)
        )
    if isinstance(cond, s.ExistsCond):
        value = vals.compile_expr(cond.from_)
        return lambda scope: vals.present(value(scope))
    if isinstance(cond, s.NotCond):
        inner = compile_condition(cond.cond)
        return lambda scope: not inner(scope)
    if isinstance(cond, s.AllCond):
        parts = [compile_condition(c) for c in cond.of]
        return lambda scope: all(p(scope) for p in parts)
    if isinstance(cond, s.SameCond):
        values = [vals.compile_expr(e) for e in cond.of]
        return lambda scope: _same([v(scope) for v in values])
    if isinstance(cond, s.SomeCond):
        return items.compile_some(cond)
    parts = [compile_condition(c) for c in cond.of]
    return lambda scope: any(p(scope) for p in parts)


def _same(values: list[Any]) -> bool:
    return all(vals.present(v) for v in values) and len({vals.canonical(v) for v in values}) == 1
