"""Facts about a delivery that a mapping may read besides the payload (`type: context`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Context:
    connector: str
    account: str | None = None
    route: str | None = None
    received_at: datetime | None = None
