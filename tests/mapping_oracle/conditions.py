"""The oracle's conditions (`when:`, `where:`, `case` branches) as predicates over a Scope; `some` is in
items.py."""

from __future__ import annotations

from typing import Any

from hub.mapping import spec as s
from hub.mapping.convert import canonical
from hub.mapping.spec import where
from tests.mapping_oracle.scope import CONDITIONS, Predicate, compile_condition, compile_expr, present


def _equals(cond: s.EqualsCond) -> Predicate:
    value, expected, at = compile_expr(cond.from_), canonical(cond.value), where(cond.from_)
    return lambda scope: present(v := value(scope)) and canonical(v, at) == expected


def _in(cond: s.InCond) -> Predicate:
    value, allowed, at = compile_expr(cond.from_), {canonical(v) for v in cond.values}, where(cond.from_)
    return lambda scope: present(v := value(scope)) and canonical(v, at) in allowed


def _contains(cond: s.ContainsCond) -> Predicate:
    listed, wanted, at = compile_expr(cond.from_), canonical(cond.value), where(cond.from_)
    return lambda scope: isinstance(v := listed(scope), list) and any(canonical(i, at) == wanted for i in v)


def _exists(cond: s.ExistsCond) -> Predicate:
    value = compile_expr(cond.from_)
    return lambda scope: present(value(scope))


def _not(cond: s.NotCond) -> Predicate:
    inner = compile_condition(cond.cond)
    return lambda scope: not inner(scope)


def _all(cond: s.AllCond) -> Predicate:
    parts = [compile_condition(c) for c in cond.of]
    return lambda scope: all(p(scope) for p in parts)


def _any(cond: s.AnyCond) -> Predicate:
    parts = [compile_condition(c) for c in cond.of]
    return lambda scope: any(p(scope) for p in parts)


def _same(cond: s.SameCond) -> Predicate:
    values = [compile_expr(e) for e in cond.of]
    return lambda scope: _all_equal([v(scope) for v in values])


def _all_equal(values: list[Any]) -> bool:
    return all(present(v) for v in values) and len({canonical(v) for v in values}) == 1


CONDITIONS.update(
    {
        s.EqualsCond: _equals,
        s.InCond: _in,
        s.ContainsCond: _contains,
        s.ExistsCond: _exists,
        s.NotCond: _not,
        s.AllCond: _all,
        s.AnyCond: _any,
        s.SameCond: _same,
    }
)
