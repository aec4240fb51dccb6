"""Pick the mapping for a payload, as the connector's `routing` declares."""

from __future__ import annotations

from collections.abc import Callable

from hub.connectors.spec import Routing
from hub.mapping.errors import MappingError
from hub.mapping.paths import MISSING
from hub.mapping.result import Ignored
from hub.mapping.values import Scope, canonical, compile_expr, where

Router = Callable[[Scope], str | Ignored]


def compile_routing(routing: Routing) -> Router:
    source, path = compile_expr(routing.from_), where(routing.from_)
    routes, ignore = dict(routing.routes), dict(routing.ignore)
    known = [*routes, *ignore]

    def route(scope: Scope) -> str | Ignored:
        raw = source(scope)
        if raw is MISSING or raw is None:
            raise MappingError("the routing field is missing", at=path)
        key = canonical(raw)
        if key in routes:
            return routes[key]
        if key in ignore:
            return Ignored(None, f"{key}: {ignore[key]}")
        raise MappingError(f"no route for {key!r}", at=path, value=raw, known=known)

    return route
