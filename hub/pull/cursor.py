"""Cursor values: change times read from records, written into requests, kept as ISO 8601 UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hub.config import parse_duration


def to_time(value: Any, fmt: str) -> datetime | None:
    try:
        if fmt == "epoch_s":
            return datetime.fromtimestamp(float(value), UTC)
        if fmt == "epoch_ms":
            return datetime.fromtimestamp(float(value) / 1000, UTC)
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except (TypeError, ValueError, OverflowError, OSError):
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else None


def render_time(moment: datetime, fmt: str) -> str:
    if fmt == "epoch_s":
        return str(int(moment.timestamp()))
    if fmt == "epoch_ms":
        return str(int(moment.timestamp() * 1000))
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def duration(value: str) -> timedelta:
    return parse_duration(value)


def windows(start: datetime, end: datetime, size: str | None) -> list[tuple[datetime, datetime]]:
    if size is None or start >= end:
        return [(start, end)]
    step = duration(size)
    found = []
    at = start
    while at < end:
        found.append((at, min(at + step, end)))
        at += step
    return found
