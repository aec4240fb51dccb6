"""Pick the mapping for a payload, as the connector's `routing` and its catalog's notification and webhook
entries declare."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from hub.connectors.sources import Headers, compile_source, describe
from hub.connectors.spec import CatalogEntry, Routing
from hub.mapping.context import Context
from hub.mapping.convert import canonical
from hub.mapping.errors import MappingError
from hub.mapping.paths import MISSING
from hub.mapping.result import Ignored

# The headers are the delivery's (a recorded one's, from its envelope), for routing by a header.
Router = Callable[[Any, Context, Headers | None], str | Ignored]


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


# A routing value read at intake from a header is stored as the delivery's route with this prefix (never
# part of a mapping name), so re-normalizing the stored body routes it the same way without the headers.
STORED_VALUE = "="


def compile_lookup(routing: Routing, catalog: Sequence[CatalogEntry] = ()) -> Callable[[Any], str | Ignored]:
    """The routing table as a function of the routing field's value."""
    path = describe(routing.from_)
    routes, ignore = routing_table(routing, catalog)
    known = [*routes, *ignore]

    def lookup(raw: Any) -> str | Ignored:
        if raw is MISSING or raw is None:
            raise MappingError("the routing field is missing", at=path)
        key = canonical(raw, path)
        if key in routes:
            return routes[key]
        if key in ignore:
            return Ignored(None, f"{key}: {ignore[key]}")
        raise MappingError(f"no route for {key!r}", at=path, value=raw, known=known)

    return lookup


def compile_routing(routing: Routing, catalog: Sequence[CatalogEntry] = ()) -> Router:
    source, lookup = compile_source(routing.from_), compile_lookup(routing, catalog)

    def route(payload: Any, ctx: Context, headers: Headers | None = None) -> str | Ignored:
        return lookup(source(payload, ctx, headers))

    return route
