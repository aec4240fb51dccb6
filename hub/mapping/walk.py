"""Every path a mapping reads and every table it keeps, with where it is written and what it reads.

`hub lint` uses this to check paths against the marketplace's schema and tables against its enums.
Paths are made absolute: `@` and `@name` are replaced by the `from` paths that bound them, so
`@line.item.sku` inside `from: $.orderLines.orderLine[*].orderLineStatuses.orderLineStatus, as: line`
reads `$.orderLines.orderLine[*].item.sku`. ITEMS stands for "the elements, when this is an array".

The walk is generic over the format's models: every field of every model is visited, in every branch
(switch cases, `data_by_event`, case branches, coalesce options, nested objects and lists), and a string
is a path where the field's type is an expression or a path. A model that reads the items of arrays
(`_Over`: foreach, list, sum, first/min/max, some) binds its `from` and `as`, and its other fields read
in that scope; with `entries: true` its items are an object's entries, `@.value` the values. So a new
primitive is walked without a line here. The names a mapping declares under `input.with` (given by an
including mapping) are NAMED: nothing is known of their shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from pydantic import BaseModel

from hub.mapping import spec as s
from hub.mapping.paths import EVERY, Segment, parse
from hub.mapping.spec.base import PATH_PATTERN, _Over


class _Marker:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"[{self.name}]"


ITEMS: Final = _Marker("items")
ENTRIES: Final = _Marker("entries")  # an entry {key, value} of an object
NAMED: Final = _Marker("named")  # a value an including mapping gives (input.with)
Step = Segment | _Marker
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
            "[*]"
            if step is EVERY or step is ITEMS or step is ENTRIES
            else f"[{step}]"
            if isinstance(step, int)
            else f"<{step.name}>"
            if isinstance(step, _Marker)
            else f".{step}"
        )
    return out


def _use(path: str, loc: Loc, env: Env) -> PathUse:
    anchor, segments = parse(path)
    base = env.get(anchor)
    if base is None:
        return PathUse(path, loc, None, 0, anchor)
    return PathUse(path, loc, (*base, *segments), len(base))


def _bind(path: str, as_: Any, loc: Loc, env: Env, entries: bool = False) -> tuple[PathUse, Env]:
    """The use of a `from` path, and the scope inside it: `@` is the item, `as:` names the levels."""
    use = _use(path, loc, env)
    if use.absolute is None:
        return use, {**env, "@": ()}  # already reported as unbound; keep walking without a base
    full = list(use.absolute)
    while len(full) > use.own and full[-1] is EVERY:
        full.pop()
    levels: list[Absolute] = [tuple(full[: i + 1]) for i in range(use.own, len(full)) if full[i] is EVERY]
    item: Absolute = (*full, ENTRIES if entries else ITEMS)
    levels.append(item)
    inner = dict(env)
    inner["@"] = item
    for name, level in zip(s.names_of(as_), levels, strict=False):
        inner[f"@{name}"] = level
    return use, inner


@cache
def _reads_paths(model: type[BaseModel], field: str) -> bool:
    """Whether strings in this field are paths: its type is an expression, or a path string. Elsewhere a
    string is a constant, an event name, a template or a reason."""
    info = model.model_fields[field]
    text = repr(info.annotation) + repr(info.metadata)
    return "PathExpr" in text or PATH_PATTERN in text


class Walker:
    def __init__(self) -> None:
        self.paths: list[PathUse] = []
        self.tables: list[TableUse] = []
        # Nodes naming something outside the mapping: includes, lookups, headers.
        self.parts: list[tuple[Loc, s.Include | s.LookupExpr | s.HeaderExpr]] = []

    def mapping(self, spec: s.MappingSpec) -> Walker:
        env: dict[str, Absolute] = {"$": ()}
        for name in spec.input.with_ if spec.input is not None else {}:
            env[f"@{name}"] = (NAMED,)
        self.node(spec.emit, ("emit",), env, False)
        return self

    def node(self, value: Any, loc: Loc, env: Env, paths: bool) -> None:
        if isinstance(value, s.Spec):
            self.model(value, loc, env)
        elif isinstance(value, str):
            if paths and value[:1] in "$@":
                self.paths.append(_use(value, loc, env))
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                self.node(inner, (*loc, index), env, paths)
        elif isinstance(value, dict):
            for key, inner in value.items():
                self.node(inner, (*loc, key), env, paths)

    def model(self, spec: s.Spec, loc: Loc, env: Env) -> None:
        self._table(spec, loc, env)
        if isinstance(spec, s.Include | s.LookupExpr | s.HeaderExpr):
            self.parts.append((loc, spec))
        kind = type(spec)
        fields = [(name, info.alias or name) for name, info in kind.model_fields.items()]
        if not isinstance(spec, _Over) or getattr(spec, "from_", None) is None:
            for name, key in fields:
                self.node(getattr(spec, name), (*loc, key), env, _reads_paths(kind, name))
            return
        sources = spec.from_  # type: ignore[attr-defined]
        for path, at in (
            [(sources, ("from",))]
            if isinstance(sources, str)
            else [(p, ("from", i)) for i, p in enumerate(sources)]
        ):
            entries = bool(getattr(spec, "entries", False))
            use, inner = _bind(path, spec.as_, (*loc, *at), env, entries)  # type: ignore[attr-defined]
            self.paths.append(use)
            for name, key in fields:
                if name not in ("from_", "as_", "entries"):
                    self.node(getattr(spec, name), (*loc, key), inner, _reads_paths(kind, name))

    def _table(self, spec: s.Spec, loc: Loc, env: Env) -> None:
        if isinstance(spec, s.EnumExpr):
            source = source_of(spec.from_, (*loc, "from"), env)
            self.tables.append(TableUse("enum", (*loc, "values"), frozenset(spec.values), source))
        elif isinstance(spec, s.SwitchEvent):
            source = source_of(spec.from_, (*loc, "from"), env)
            keys = frozenset([*spec.cases, *spec.ignore])
            self.tables.append(TableUse("switch", (*loc, "cases"), keys, source))


def source_of(expr: Any, loc: Loc, env: Env) -> PathUse | None:
    """The path a value comes from, through typed primitives (`string`, `enum` ...), when it is one."""
    if isinstance(expr, str):
        return _use(expr, loc, env) if expr[:1] in "$@" else None
    if isinstance(expr, s.PathExpr):
        return _use(expr.path, (*loc, "path"), env)
    if isinstance(expr, _Over | s.CoalesceExpr | s.LookupExpr):
        return None  # many sources, or a value the table gives: not the path's own values
    inner = getattr(expr, "from_", None)
    return source_of(inner, (*loc, "from"), env) if inner is not None else None


def walk(spec: s.MappingSpec) -> Walker:
    return Walker().mapping(spec)
