"""Identifiers: deterministic event ids and W3C trace context."""

from __future__ import annotations

import hashlib
import random
import re
import uuid

# Fixed namespace so the same delivery always yields the same event ids: re-normalizing a payload
# after a mapping fix, or receiving it twice, can never mint a second identity for one fact.
_NAMESPACE = uuid.UUID("6f1c2a52-3b8e-4f7e-9d2a-5c0b7d4e8a11")
_NAMESPACE_BYTES = _NAMESPACE.bytes

TRACEPARENT_PATTERN = r"^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"
_TRACEPARENT = re.compile(TRACEPARENT_PATTERN)


_NAMESPACE_SHA1 = hashlib.sha1(_NAMESPACE_BYTES)
# The RFC 4122 variant in the 17th hex digit: its two high bits 10, the low two kept.
_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}


def stable_id(*parts: str) -> str:
    """str(uuid.uuid5(_NAMESPACE, "\x1f".join(parts))), without building a UUID object or an integer: this
    runs for every accepted delivery and every event. Version 5 goes in the 13th hex digit."""
    digest = _NAMESPACE_SHA1.copy()
    digest.update("\x1f".join(parts).encode())
    h = digest.hexdigest()
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:32]}"


def event_id(connector: str, dedupe_key: str, local_id: str) -> str:
    """The id of the event that emitter `local_id` makes from one delivery: the same on every re-run."""
    return stable_id("event", connector, dedupe_key, local_id)


def new_traceparent() -> str:
    # Random bits as OpenTelemetry's own id generator draws them (trace ids need to be unique, not
    # secret): os.urandom cost a system call per delivery.
    text = f"{random.getrandbits(192):048x}"
    return f"00-{text[:32]}-{text[32:]}-01"


def valid_traceparent(value: str | None) -> str | None:
    """Keep a caller's traceparent when it is well formed, so our spans join their trace."""
    if value and _TRACEPARENT.match(value) and value[3:35] != "0" * 32:
        return value
    return None
