"""Facts about a delivery that a mapping may read besides the payload (`type: context`, `type: header`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.mapping.paths import MISSING

Headers = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Context:
    connector: str
    account: str | None = None
    route: str | None = None
    received_at: datetime | None = None
    # The delivery's request headers (a recorded delivery's, from its envelope); for a stored delivery, the
    # ones its inbox row kept.
    headers: Headers | None = None
    # The value of the connector's routing field (or header) the record was routed by.
    routing_value: str | None = None


def header(headers: Headers | None, name: str) -> Any:
    """A header's value, the name compared case-insensitively (HTTP/2 sends them lower-cased)."""
    if not headers:
        return MISSING
    wanted = name.lower()
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == wanted:
            return value if isinstance(value, str) else MISSING
    return MISSING
