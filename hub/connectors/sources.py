"""Values a connector reads to route and identify a delivery: an expression of the mapping language over the
payload and the delivery's request headers (`{type: header, name: X-...}`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hub.mapping import spec as s
from hub.mapping.codegen import compile_value
from hub.mapping.context import Context, Headers
from hub.mapping.spec import Expr, where
from hub.mapping.walk import Walker

__all__ = ["Headers", "Read", "compile_source", "describe", "header_names"]

Read = Callable[[Any, Context, Headers | None], Any]  # (payload, delivery context, headers)


def compile_source(source: Expr) -> Read:
    compiled = compile_value(source)
    if not header_names(source):
        return lambda payload, ctx, _headers: compiled(payload, ctx)

    def read(payload: Any, ctx: Context, headers: Headers | None) -> Any:
        return compiled(payload, Context(ctx.connector, ctx.account, ctx.route, ctx.received_at, headers))

    return read


def describe(source: Expr) -> str | None:
    return where(source)


def header_names(source: Expr) -> list[str]:
    """The request headers an expression reads."""
    walker = Walker()
    walker.node(source, (), {"$": ()}, True)
    return [node.name for _, node in walker.parts if isinstance(node, s.HeaderExpr)]
