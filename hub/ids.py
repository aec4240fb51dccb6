"""Identifiers: deterministic event ids and W3C trace context."""

from __future__ import annotations

import re
import secrets
import uuid

# Fixed namespace so the same delivery always yields the same event ids: re-normalizing a payload
# after a mapping fix, or receiving it twice, can never mint a second identity for one fact.
_NAMESPACE = uuid.UUID("6f1c2a52-3b8e-4f7e-9d2a-5c0b7d4e8a11")

TRACEPARENT_PATTERN = r"^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"
_TRACEPARENT = re.compile(TRACEPARENT_PATTERN)


def stable_id(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "\x1f".join(parts)))


def new_traceparent() -> str:
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


def valid_traceparent(value: str | None) -> str | None:
    """Keep a caller's traceparent when it is well formed, so our spans join their trace."""
    if value and _TRACEPARENT.match(value) and value[3:35] != "0" * 32:
        return value
    return None
