"""Pick the mapping for a payload, as the connector's `routing` and its catalog's notification and webhook
entries declare."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from hub.connectors.spec import CatalogEntry, Routing
from hub.mapping.errors import MappingError
from hub.mapping.paths import MISSING
from hub.mapping.result import Ignored
from hub.mapping.values import Scope, canonical, compile_expr, where

Router = Callable[[Scope], str | Ignored]


def routing_table(routing: Routing, catalog: Sequence[CatalogEntry]) -> tuple[dict[str, str], dict[str, str]]:
    """(routes, ignore) by routing-field value: `routing`'s own tables plus the catalog's entries that
    are routed by the field (notifications and webhooks). An entry with neither is left out: loading the
    project reports it, and such payloads are quarantined ("no route")."""
    routes, ignore = dict(routing.routes), dict(routing.ignore)
    for entry in catalog:
        if entry.kind == "operation":
            continue
        if entry.route is not None:
            routes[entry.name] = entry.route
        elif entry.ignore is not None:
            ignore[entry.name] = entry.ignore
    return routes, ignore


def compile_routing(routing: Routing, catalog: Sequence[CatalogEntry] = ()) -> Router:
    source, path = compile_expr(routing.from_), where(routing.from_)
    routes, ignore = routing_table(routing, catalog)
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
