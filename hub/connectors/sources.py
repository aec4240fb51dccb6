"""Values a connector reads to route and identify a delivery: a payload expression, or a request header."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from hub.connectors.spec import HeaderValue
from hub.mapping.paths import MISSING
from hub.mapping.spec import Expr
from hub.mapping.values import Scope, compile_expr, where

Headers = Mapping[str, str]
Read = Callable[[Scope, Headers | None], Any]


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
        return lambda _scope, headers: header(headers, name)
    compiled = compile_expr(source)
    return lambda scope, _headers: compiled(scope)


def describe(source: Expr | HeaderValue) -> str | None:
    return f"header {source.name}" if isinstance(source, HeaderValue) else where(source)


def reads_headers(source: Expr | HeaderValue) -> bool:
    return isinstance(source, HeaderValue)
