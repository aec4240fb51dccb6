"""The oracle's primitives over the items of arrays: list, sum, first/min/max and the `some` condition.

Each reads `from` (one or several paths; `[*]` flattens nested arrays), binds `as:` names to the
elements taken on the way, keeps the items `where` holds, and evaluates its expressions per item.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from hub.mapping import spec as s
from hub.mapping.convert import CURRENCY, add, blank, entries_of, quantize, to_decimal
from hub.mapping.errors import MappingError
from hub.mapping.paths import MISSING, NotAnArray, levels, parse
from hub.mapping.spec import names_of, where
from tests.mapping_oracle.scope import (
    CONDITIONS,
    EXPRS,
    Compiled,
    Predicate,
    Scope,
    compile_condition,
    compile_expr,
    compile_getter,
)

Items = Callable[[Scope], Iterator[Scope]]


def _label(sources: str | list[str]) -> str:
    """How an error names the `from` of the item it happened in (MappingError.within)."""
    return sources if isinstance(sources, str) else " + ".join(sources)


def compile_items(
    sources: str | list[str], as_: str | list[str] | None, *, singles: bool, entries: bool = False
) -> Items:
    """A function of a scope yielding the scope of every item, `@` and the `as:` names bound; with
    `entries`, the items are the entries of the object the path reaches."""
    paths = [sources] if isinstance(sources, str) else list(sources)
    names = names_of(as_)
    compiled = []
    for path in paths:
        anchor, segments = parse(path)
        depth = s.levels_of(path)
        start = compile_getter(anchor)
        compiled.append((path, start, segments, names[:depth] + [""] * (depth - len(names))))

    def run(scope: Scope) -> Iterator[Any]:
        for path, start, segments, slots in compiled:
            origin = start(scope)
            if origin is MISSING:
                continue
            as_entries = (lambda value, at=path: entries_of(value, at)) if entries else None
            try:
                for found in levels(
                    origin,
                    segments,
                    singles=singles,
                    entries=as_entries,
                    blank=blank if scope.blank else None,
                ):
                    bound = {name: value for name, value in zip(slots, found, strict=True) if name}
                    yield scope.at(found[-1], bound)
            except NotAnArray as exc:
                raise MappingError(str(exc), at=path) from None

    return run


def _kept(expr: Any, *, singles: bool) -> Items:
    every = compile_items(expr.from_, expr.as_, singles=singles, entries=getattr(expr, "entries", False))
    keep = compile_condition(expr.where) if expr.where is not None else None
    if keep is None:
        return every
    return lambda scope: (inner for inner in every(scope) if keep(inner))


def compile_list(expr: s.ListExpr) -> Compiled:
    source = compile_getter(expr.from_)
    every = compile_items(expr.from_, expr.as_, singles=False, entries=expr.entries)
    keep = compile_condition(expr.where) if expr.where is not None else None
    item = compile_expr(expr.item)
    label = _label(expr.from_)

    def run(scope: Scope) -> Any:
        if source(scope) in (MISSING, None):
            return MISSING
        values = []
        for index, inner in enumerate(every(scope)):
            try:
                if keep is None or keep(inner):
                    values.append(item(inner))
            except MappingError as exc:  # name the item (an order line) the error is in
                raise exc.within(label, index) from None
        return [v for v in values if v is not MISSING]

    return run


def compile_some(cond: s.SomeCond) -> Predicate:
    every = compile_items(cond.from_, cond.as_, singles=True, entries=cond.entries)
    keep = compile_condition(cond.where) if cond.where is not None else None
    label = _label(cond.from_)

    def run(scope: Scope) -> bool:
        for index, inner in enumerate(every(scope)):
            try:
                if keep is None or keep(inner):
                    return True
            except MappingError as exc:  # name the item (an order line) the condition failed on
                raise exc.within(label, index) from None
        return False

    return run


def compile_sum(expr: s.SumExpr) -> Compiled:
    every = _kept(expr, singles=True)
    amount, amount_at = compile_expr(expr.amount), where(expr.amount)
    currency = compile_expr(expr.currency) if expr.currency is not None else None
    currency_at = where(expr.currency) if expr.currency is not None else None
    scale, rounding, required = expr.scale, expr.rounding, expr.required
    label = ", ".join([expr.from_] if isinstance(expr.from_, str) else expr.from_)

    def run(scope: Scope) -> Any:
        total, codes, count = Decimal(0), set(), 0
        for inner in every(scope):
            raw = amount(inner)
            if raw is MISSING or raw is None:
                continue
            total = add(total, to_decimal(raw, amount_at))
            count += 1
            if currency is not None:
                code = currency(inner)
                if not isinstance(code, str) or not CURRENCY.match(code):
                    raise MappingError("currency must be an ISO 4217 code", at=currency_at, value=code)
                codes.add(code)
        if not count:
            if required:
                raise MappingError("nothing to sum", at=label)
            return MISSING
        if len(codes) > 1:
            raise MappingError(
                f"cannot sum amounts in several currencies ({', '.join(sorted(codes))})", at=label
            )
        text = quantize(total, scale, rounding)
        return {"amount": text, "currency": codes.pop()} if currency is not None else text

    return run


def _comparable(value: Any, at: str | None) -> Decimal | datetime:

    if isinstance(value, datetime):
        return value
    return to_decimal(value, at)


def _candidates(expr: s.PickExpr) -> Callable[[Scope], Iterator[tuple[Any, str | None]]]:
    """The values to choose from, each with the path it was read at: of the items, or of `of`."""
    if expr.of is not None:
        options = [(compile_expr(e), where(e)) for e in expr.of]
        return lambda scope: ((fn(scope), at) for fn, at in options)
    every = _kept(expr, singles=True)
    value, value_at = compile_expr(expr.value), where(expr.value)
    return lambda scope: ((value(inner), value_at) for inner in every(scope))


def compile_pick(expr: s.PickExpr) -> Compiled:
    candidates = _candidates(expr)
    op, default, required = expr.type, expr.default, expr.required
    if expr.of is not None:
        label = ", ".join(w for w in map(where, expr.of) if w) or None
    else:
        label = ", ".join([expr.from_] if isinstance(expr.from_, str) else expr.from_ or [])
    what = "value" if expr.of is not None else "item"

    def choose(scope: Scope) -> Any:
        found = ((v, at) for v, at in candidates(scope) if v is not MISSING and v is not None)
        if op == "first":
            return next(found, (MISSING, None))[0]
        best: Any = MISSING
        for candidate, value_at in found:
            key = _comparable(candidate, value_at)
            try:
                better = best is MISSING or (key > best[0] if op == "max" else key < best[0])
            except TypeError:
                raise MappingError(f"cannot compare {candidate!r} with {best[1]!r}", at=value_at) from None
            if better:
                best = (key, candidate)
        return best if best is MISSING else best[1]

    def run(scope: Scope) -> Any:
        chosen = choose(scope)
        if chosen is MISSING:
            if default is not None:
                return default
            if required:
                raise MappingError(f"no {what} to take the {op} value from", at=label)
        return chosen

    return run


EXPRS.update({s.ListExpr: compile_list, s.SumExpr: compile_sum, s.PickExpr: compile_pick})
CONDITIONS[s.SomeCond] = compile_some
