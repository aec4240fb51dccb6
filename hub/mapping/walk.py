"""Every path a mapping reads and every table it keeps, with where it is written and what it reads.

`hub lint` uses this to check paths against the marketplace's schema and tables against its enums.
Paths are made absolute: `@` and `@name` are replaced by the `from` paths that bound them, so
`@line.item.sku` inside `from: $.orderLines.orderLine[*].orderLineStatuses.orderLineStatus, as: line`
reads `$.orderLines.orderLine[*].item.sku`. ITEMS stands for "the elements, when this is an array".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from hub.mapping import spec as s
from hub.mapping.items import names_of
from hub.mapping.paths import EVERY, Segment, parse


class _Items:
    __slots__ = ()

    def __repr__(self) -> str:
        return "[items]"


ITEMS: Final = _Items()
Step = Segment | _Items
Absolute = tuple[Step, ...]
Loc = tuple[str | int, ...]
Env = Mapping[str, Absolute]


@dataclass(frozen=True, slots=True)
class PathUse:
    path: str  # as written
    loc: Loc  # where in the YAML document
    absolute: Absolute | None  # from the record root; None when an anchor is unbound
    own: int  # how many leading steps of `absolute` come from the anchor (checked where it was bound)
    unbound: str | None = None  # the anchor no enclosing `as:` binds


@dataclass(frozen=True, slots=True)
class TableUse:
    kind: str  # enum | switch
    loc: Loc  # of the table (values / cases)
    keys: frozenset[str]
    source: PathUse | None  # the path the table's value comes from, when it is one


def render(absolute: Absolute) -> str:
    out = "$"
    for step in absolute:
        out += (
            "[*]" if step is EVERY or step is ITEMS else f"[{step}]" if isinstance(step, int) else f".{step}"
        )
    return out


def _use(path: str, loc: Loc, env: Env) -> PathUse:
    anchor, segments = parse(path)
    base = env.get(anchor)
    if base is None:
        return PathUse(path, loc, None, 0, anchor)
    return PathUse(path, loc, (*base, *segments), len(base))


def _bind(path: str, as_: Any, loc: Loc, env: Env) -> tuple[list[PathUse], Env]:
    """The use of a `from` path, and the scope inside it: `@` is the item, `as:` names the levels."""
    use = _use(path, loc, env)
    if use.absolute is None:
        return [use], {**env, "@": ()}  # already reported as unbound; keep walking without a base
    full = list(use.absolute)
    while len(full) > use.own and full[-1] is EVERY:
        full.pop()
    levels: list[Absolute] = [tuple(full[: i + 1]) for i in range(use.own, len(full)) if full[i] is EVERY]
    item: Absolute = (*full, ITEMS)
    levels.append(item)
    inner = dict(env)
    inner["@"] = item
    for name, level in zip(names_of(as_), levels, strict=False):
        inner[f"@{name}"] = level
    return [use], inner


def _sources(expr: Any) -> list[tuple[str, Loc]]:
    paths = expr.from_
    return [(paths, ("from",))] if isinstance(paths, str) else [(p, ("from", i)) for i, p in enumerate(paths)]


class Walker:
    def __init__(self) -> None:
        self.paths: list[PathUse] = []
        self.tables: list[TableUse] = []

    def mapping(self, spec: s.MappingSpec) -> Walker:
        self._emitters(spec.emit, ("emit",), {"$": ()})
        return self

    def _emitters(self, emitters: list[s.Emitter], loc: Loc, env: Env) -> None:
        for index, emitter in enumerate(emitters):
            here = (*loc, index)
            if isinstance(emitter, s.ForEach):
                uses, inner = _bind(emitter.from_, emitter.as_, (*here, "from"), env)
                self.paths += uses
                self._expr(emitter.key, (*here, "key"), inner)
                if emitter.when is not None:
                    self._cond(emitter.when, (*here, "when"), inner)
                self._emitters(emitter.emit, (*here, "emit"), inner)
                continue
            if emitter.when is not None:
                self._cond(emitter.when, (*here, "when"), env)
            if isinstance(emitter.event, s.SwitchEvent):
                switch = emitter.event
                source = self._expr(switch.from_, (*here, "event", "from"), env)
                keys = frozenset([*switch.cases, *switch.ignore])
                self.tables.append(TableUse("switch", (*here, "event", "cases"), keys, source))
            for name, expr in emitter.data.items():
                self._expr(expr, (*here, "data", name), env)

    def _expr(self, expr: Any, loc: Loc, env: Env) -> PathUse | None:
        """Walk one expression; returns the use of the path its value comes from, if it is one."""
        if isinstance(expr, str):
            if expr[:1] in "$@":
                use = _use(expr, loc, env)
                self.paths.append(use)
                return use
            return None
        if isinstance(expr, s.PathExpr):
            use = _use(expr.path, (*loc, "path"), env)
            self.paths.append(use)
            return use
        if isinstance(expr, s.ListExpr):
            uses, inner = _bind(expr.from_, expr.as_, (*loc, "from"), env)
            self.paths += uses
            if expr.where is not None:
                self._cond(expr.where, (*loc, "where"), inner)
            self._expr(expr.item, (*loc, "item"), inner)
            return None
        if isinstance(expr, s.SumExpr | s.PickExpr):
            for path, sub in _sources(expr):
                uses, inner = _bind(path, expr.as_, (*loc, *sub), env)
                self.paths += uses
                if expr.where is not None:
                    self._cond(expr.where, (*loc, "where"), inner)
                if isinstance(expr, s.SumExpr):
                    self._expr(expr.amount, (*loc, "amount"), inner)
                    self._expr(expr.currency, (*loc, "currency"), inner)
                else:
                    self._expr(expr.value, (*loc, "value"), inner)
            return None
        if isinstance(expr, s.MoneyExpr):
            self._expr(expr.amount, (*loc, "amount"), env)
            self._expr(expr.currency, (*loc, "currency"), env)
            return None
        if isinstance(expr, s.ObjectExpr):
            for name, field in expr.fields.items():
                self._expr(field, (*loc, "fields", name), env)
            return None
        if isinstance(expr, s.CoalesceExpr | s.ArrayExpr):
            for i, option in enumerate(expr.of):
                self._expr(option, (*loc, "of", i), env)
            return None
        if isinstance(expr, s.FormatExpr):
            for name, arg in expr.args.items():
                self._expr(arg, (*loc, "args", name), env)
            return None
        if isinstance(expr, s.HoldsExpr):
            self._cond(expr.cond, (*loc, "cond"), env)
            return None
        from_ = getattr(expr, "from_", None)
        if from_ is None:
            return None  # const, context, jsonata (an escape hatch: its paths are not checked)
        source = self._expr(from_, (*loc, "from"), env)
        if isinstance(expr, s.EnumExpr):
            self.tables.append(TableUse("enum", (*loc, "values"), frozenset(expr.values), source))
        return source

    def _cond(self, cond: Any, loc: Loc, env: Env) -> None:
        if isinstance(cond, s.NotCond):
            self._cond(cond.cond, (*loc, "cond"), env)
        elif isinstance(cond, s.AllCond | s.AnyCond):
            for i, part in enumerate(cond.of):
                self._cond(part, (*loc, "of", i), env)
        elif isinstance(cond, s.SameCond):
            for i, value in enumerate(cond.of):
                self._expr(value, (*loc, "of", i), env)
        elif isinstance(cond, s.SomeCond):
            for path, sub in _sources(cond):
                uses, inner = _bind(path, cond.as_, (*loc, *sub), env)
                self.paths += uses
                self._cond(cond.where, (*loc, "where"), inner)
        else:
            self._expr(cond.from_, (*loc, "from"), env)


def walk(spec: s.MappingSpec) -> Walker:
    return Walker().mapping(spec)
