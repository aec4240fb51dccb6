"""Values a connector reads to route and identify a delivery: a payload expression, or a request header."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from hub.connectors.spec import HeaderValue
from hub.mapping.codegen import compile_value
from hub.mapping.context import Context
from hub.mapping.paths import MISSING
from hub.mapping.spec import Expr, where

Headers = Mapping[str, str]
Read = Callable[[Any, Context, Headers | None], Any]  # (payload, delivery context, headers)


def header(headers: Headers | None, name: str) -> Any:
    """A header's value, the name compared case-insensitively (HTTP/2 sends them lower-cased)."""
    if not headers:
        return MISSING
    wanted = name.lower()
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == wanted:
            return value if isinstance(value, str) else MISSING
    return MISSING


def compile_source(source: Expr | HeaderValue) -> Read:
    if isinstance(source, HeaderValue):
        name = source.name
        return lambda _payload, _ctx, headers: header(headers, name)
    compiled = compile_value(source)
    return lambda payload, ctx, _headers: compiled(payload, ctx)


def describe(source: Expr | HeaderValue) -> str | None:
    return f"header {source.name}" if isinstance(source, HeaderValue) else where(source)


def reads_headers(source: Expr | HeaderValue) -> bool:
    return isinstance(source, HeaderValue)
