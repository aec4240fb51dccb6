"""The intake's hot statements on SQLite, through the DBAPI connection of the SQLAlchemy transaction.

Every accepted webhook writes an inbox row, bumps a per-key sequence and appends outbox rows. Through
SQLAlchemy Core each of those statements costs more in compiling, parameter processing and result
wrapping than SQLite takes to run it; here they are plain SQL on the same sqlite3 connection, inside the
same transaction (SQLAlchemy issued its BEGIN IMMEDIATE and commits it). Values are written exactly as
SQLAlchemy's column types write them (UTCDateTime: naive UTC text with microseconds; JSON: the engine's
serializer), so every other reader sees the same rows. PostgreSQL keeps SQLAlchemy Core throughout.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection

# Rows per multi-row statement: far below SQLite's limit of bound variables (32766 since 3.32).
CHUNK = 200


def driver(conn: Connection) -> sqlite3.Connection | None:
    """The sqlite3 connection under a SQLAlchemy one, or None on another backend."""
    if conn.dialect.name != "sqlite":
        return None
    raw: sqlite3.Connection = conn.connection.driver_connection  # type: ignore[assignment]
    return raw


def sqlite_time(value: datetime) -> str:
    """What UTCDateTime binds on SQLite: the UTC time without offset, always with microseconds."""
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


@cache
def _values(rows: int, width: int) -> str:
    one = "(" + ",".join("?" * width) + ")"
    return ",".join([one] * rows)


def insert_returning(
    raw: sqlite3.Connection, head: str, tail: str, rows: Sequence[Sequence[Any]]
) -> list[tuple[Any, ...]]:
    """`head VALUES (...), (...) tail` in chunks; the RETURNING rows of all chunks."""
    found: list[tuple[Any, ...]] = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        params = [value for row in chunk for value in row]
        found.extend(raw.execute(f"{head} VALUES {_values(len(chunk), len(chunk[0]))} {tail}", params))
    return found
