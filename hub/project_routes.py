"""Which mapping a payload or one record of it goes to: a route given, a stored routing value looked up, the
routing field read, or a thin payload deferred to its enrichment fetch. Pure: no I/O."""

from __future__ import annotations

import logging
from typing import Any

from hub.connector import Connector
from hub.connectors.shapes import Records
from hub.mapping.compiler import unexpected
from hub.mapping.context import Context
from hub.mapping.convert import canonical
from hub.mapping.errors import MappingError
from hub.mapping.paths import MISSING
from hub.mapping.result import Deferred, Ignored, Outcome, Quarantined

log = logging.getLogger("hub.project")


def apply_route(c: Connector, route: str, payload: Any, ctx: Context, value: str | None = None) -> Outcome:
    mapping = c.mappings.get(route)
    if mapping is None:
        return Quarantined(None, f"route {route!r} names no mapping in mappings/{c.name}/")
    ctx = Context(ctx.connector, ctx.account, route, ctx.received_at, ctx.headers, value)
    return mapping.apply(payload, ctx, depth_checked=True)


def looked_up(c: Connector, value: str, payload: Any, ctx: Context) -> Outcome:
    """A delivery routed at intake by a header: its stored value goes through the routing table."""
    try:
        chosen = c.lookup(value)
    except MappingError as exc:
        return Quarantined(None, exc.summary(), exc.detail())
    return chosen if isinstance(chosen, Ignored) else apply_route(c, chosen, payload, ctx, value)


def routed(c: Connector, payload: Any, ctx: Context, enrich: bool = False) -> Outcome:
    try:
        raw = c.routing_value(payload, ctx, ctx.headers)
        chosen = c.lookup(raw)
    except MappingError as exc:
        return Quarantined(None, exc.summary(), exc.detail())
    except Exception as exc:  # a gap in the bounds of hub/mapping/limits.py
        log.exception("routing a %s payload failed unexpectedly", c.name)
        return Quarantined(None, unexpected(exc))
    if isinstance(chosen, Ignored):
        return chosen
    if enrich and chosen in c.enrich_keys:
        return _deferred(c, chosen, payload, ctx)
    return apply_route(
        c, chosen, payload, ctx, canonical(raw) if raw is not MISSING and raw is not None else None
    )


def _deferred(c: Connector, route: str, payload: Any, ctx: Context) -> Outcome:
    """A thin payload whose events come from the connector's `enrich` fetch of its key."""
    fetch = c.spec.enrich[route]
    try:
        key = c.enrich_keys[route](payload, ctx, ctx.headers)
    except MappingError as exc:
        return Quarantined(route, exc.describe(), exc.detail())
    if key is MISSING or key is None or key == "":
        return Quarantined(route, f"enrich.{route}.key is missing from the payload")
    value = canonical(key)
    return Deferred(route, value, f"completed by {fetch.operation} of {value}")


def record_outcome(c: Connector, found: Records, record: Any, ctx: Context, enrich: bool = False) -> Outcome:
    if found.target.ignore is not None:
        return Ignored(None, f"{found.shape}: {found.target.ignore}")
    if found.target.route is not None:
        return apply_route(c, found.target.route, record, ctx)
    return routed(c, record, ctx, enrich)
