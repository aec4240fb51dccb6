"""Wrappers a delivery can arrive in, as the connector's `envelopes` declare: the inbox keeps the
delivery whole, everything after it reads the wrapped payload."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from hub.connectors.spec import Envelope
from hub.mapping.codegen import compile_test
from hub.mapping.context import Context
from hub.mapping.errors import MappingError
from hub.mapping.paths import MISSING, compile_path

Unwrap = Callable[[Any], Any]
# The wrapped payload and the wrapped delivery's headers (None when the envelope declares none).
UnwrapWithHeaders = Callable[[Any], tuple[Any, Mapping[str, str] | None]]


def compile_envelopes(connector: str, envelopes: Sequence[Envelope]) -> Unwrap:
    with_headers = compile_envelopes_with_headers(connector, envelopes)
    return lambda delivery: with_headers(delivery)[0]


def compile_envelopes_with_headers(connector: str, envelopes: Sequence[Envelope]) -> UnwrapWithHeaders:
    compiled = [
        (e.name, e.payload, compile_test(e.when), compile_path(e.payload), e.headers) for e in envelopes
    ]
    ctx = Context(connector)

    def unwrap(delivery: Any) -> tuple[Any, Mapping[str, str] | None]:
        # Stored bodies are unwrapped the same way on every re-normalization, so this depends on the
        # delivery's own fields only, never on which intake it came through.
        for name, at, recognised, payload, headers_at in compiled:
            if recognised(delivery, ctx):
                inner = payload(delivery, delivery)
                if inner is MISSING or inner is None:
                    raise MappingError(f"{name} envelope without its payload", at=at)
                headers = compile_path(headers_at)(delivery, delivery) if headers_at else None
                return inner, headers if isinstance(headers, Mapping) else None
        return delivery, None

    return unwrap
