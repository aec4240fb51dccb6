"""The database's clock as SQL expressions, so every relay judges lease expiry by the same clock."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, type_coerce
from sqlalchemy.sql.elements import ColumnElement

from hub.store.types import UTCDateTime

# SQLAlchemy keeps SQLite datetimes as text in this shape ('2026-11-25 04:33:03.867000'); strftime's %f
# gives milliseconds, padded to microseconds so the text compares correctly with stored values.
_SQLITE_FORMAT = "%Y-%m-%d %H:%M:%f000"


def now_plus(conn: Connection, seconds: float = 0.0) -> ColumnElement[datetime]:
    """The database's current time plus `seconds` (which may be negative)."""
    if conn.dialect.name == "postgresql":
        moment: ColumnElement[Any] = func.now()
        if seconds:
            moment = moment + func.make_interval(0, 0, 0, 0, 0, 0, float(seconds))
        return type_coerce(moment, UTCDateTime)
    return func.strftime(_SQLITE_FORMAT, "now", f"{float(seconds):+f} seconds", type_=UTCDateTime)


def now(conn: Connection) -> ColumnElement[datetime]:
    return now_plus(conn, 0.0)
