"""What normalizing one payload can come to: events, a quarantine reason, or a deliberate ignore."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hub.events.base import EventData


@dataclass(frozen=True, slots=True)
class Draft:
    """An event's data before the domain and the envelope complete it."""

    data: EventData  # an instance of the event class, or of its draft model when the domain owns fields
    local_id: str  # which emitter and item produced it: part of the stable event id
    event: type[EventData]


@dataclass(frozen=True, slots=True)
class Mapped:
    mapping: str
    drafts: list[Draft]


@dataclass(frozen=True, slots=True)
class Quarantined:
    mapping: str | None
    reason: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Ignored:
    mapping: str | None
    reason: str


Outcome = Mapped | Quarantined | Ignored
