"""The oracle's core: a Scope (payload root, current item, named items, delivery context) and the
registries that turn an expression or condition into a closure over it. The other modules register
their closures here; nothing here imports them, so the modules form no import cycle."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from hub.mapping.context import Context
from hub.mapping.convert import blank
from hub.mapping.errors import MappingError
from hub.mapping.parts import NO_PARTS, Parts
from hub.mapping.paths import EVERY, MISSING, parse, walker


@dataclass(frozen=True, slots=True)
class Scope:
    root: Any
    item: Any
    ctx: Context
    names: Mapping[str, Any] = field(default_factory=dict)
    blank: bool = False  # the mapping's `input.empty_strings: missing`: paths read "" as missing

    def at(self, item: Any, names: Mapping[str, Any] | None = None) -> Scope:
        names = {**self.names, **names} if names else self.names
        return Scope(self.root, item, self.ctx, names, self.blank)


# The connector's other mappings and lookup tables, while a mapping that names them is compiled.
_PARTS: ContextVar[Parts] = ContextVar("parts", default=NO_PARTS)


def parts() -> Parts:
    return _PARTS.get()


@contextmanager
def using(found: Parts) -> Iterator[None]:
    token = _PARTS.set(found)
    try:
        yield
    finally:
        _PARTS.reset(token)


Compiled = Callable[[Scope], Any]
Predicate = Callable[[Scope], bool]

EXPRS: dict[type, Callable[[Any], Compiled]] = {}
CONDITIONS: dict[type, Callable[[Any], Predicate]] = {}


def compile_expr(expr: Any) -> Compiled:
    if expr is None or isinstance(expr, bool | int) or (isinstance(expr, str) and expr[:1] not in "$@"):
        constant = expr
        return lambda _scope: constant
    if isinstance(expr, str):
        return compile_getter(expr)
    compiler = EXPRS.get(type(expr))
    if compiler is None:
        raise TypeError(f"the oracle has no closure for {type(expr).__name__}")
    return compiler(expr)


def compile_condition(cond: Any) -> Predicate:
    compiler = CONDITIONS.get(type(cond))
    if compiler is None:
        raise TypeError(f"the oracle has no closure for {type(cond).__name__}")
    return compiler(cond)


def compile_getter(path: str) -> Compiled:
    """A path read from a scope: from the root, the current item or a named item."""
    anchor, segments = parse(path)
    walk = walker(segments)
    every = EVERY in segments

    def start(scope: Scope) -> Any:
        if anchor == "$":
            return scope.root
        if anchor == "@":
            return scope.item
        if anchor[1:] not in scope.names:
            raise MappingError(
                f"no enclosing `as:` names an item {anchor}", at=path, known=sorted(scope.names) or None
            )
        return scope.names[anchor[1:]]

    def read(scope: Scope) -> Any:
        value = walk(start(scope))
        if not scope.blank:
            return value
        if every:
            return value if value is MISSING else [v for v in value if not blank(v)]
        return MISSING if blank(value) else value

    return read


def present(value: Any) -> bool:
    """Neither missing nor null: what typed primitives and conditions treat as a value."""
    return value is not MISSING and value is not None
