"""What intake receives and what it answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

Status = Literal["accepted", "duplicate", "quarantined", "ignored"]


@dataclass(frozen=True, slots=True)
class Delivery:
    connector: str
    body: bytes
    payload: Any
    dedupe_key: str
    received_at: datetime
    account: str | None = None
    content_type: str | None = "application/json"
    route: str | None = None  # set for pulled records; pushed payloads are routed by their content
    traceparent: str | None = None
    # Why the body cannot be mapped at all (a queue message that is not JSON): stored and quarantined
    # with this reason instead of being mapped.
    problem: str | None = None
    # The request headers the connector's mappings read (hub.intake.identity keeps them): stored with the
    # body, given to the mapping now and on every re-normalization.
    headers: dict[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Receipt:
    status: Status
    inbox_id: int | None
    events: int = 0
    reason: str | None = None  # as quarantine stores it: printable and bounded (the receiver logs it)
