"""How the SQLite store keeps a moment: text, UTC without offset, always with microseconds
('2026-11-25 04:33:03.867000'). The one definition of that format: the column type, the values the hot
paths bind themselves and the SQL that computes times in the database all come from here."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.dialects import sqlite

_STORAGE = "%(year)04d-%(month)02d-%(day)02d %(hour)02d:%(minute)02d:%(second)02d.%(microsecond)06d"

# UTCDateTime's column type on SQLite (hub/store/types.py); its default regexp reads the format back.
COLUMN = sqlite.DATETIME(storage_format=_STORAGE)  # type: ignore[no-untyped-call]

# strftime's %f is seconds with milliseconds; three zeros pad them to microseconds, so the text compares
# correctly with stored values.
NOW_FORMAT = "%Y-%m-%d %H:%M:%f000"


def to_text(value: datetime) -> str:
    """A moment as COLUMN stores it, for statements that bind values on the driver themselves."""
    if value.tzinfo is UTC:  # the hub's own clock (hub.clock) gives UTC: its text less "+00:00"
        return value.isoformat(" ", "microseconds")[:-6]
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def epoch_ms(column: str) -> str:
    """SQL for a stored moment as epoch milliseconds: whole seconds, then the milliseconds' digits."""
    return f"CAST(strftime('%s', {column}) AS INTEGER) * 1000 + CAST(substr({column}, 21, 3) AS INTEGER)"
