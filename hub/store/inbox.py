"""Inbox rows: every accepted payload, deduplicated per connector."""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, select, update

from hub.store import sqlite_fast
from hub.store.dialect import insert_for
from hub.store.tables import inbox


@dataclass(frozen=True, slots=True)
class NewInboxRow:
    connector: str
    dedupe_key: str
    account: str | None
    route: str | None
    received_at: datetime
    content_type: str | None
    body: bytes
    traceparent: str | None
    status: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class InboxRow:
    id: int
    connector: str
    dedupe_key: str
    account: str | None
    route: str | None
    received_at: datetime
    content_type: str | None
    body: bytes
    status: str
    note: str | None
    traceparent: str | None


@cache
def _insert_new(dialect: str) -> Any:
    """Built once per dialect, not per batch; ON CONFLICT DO NOTHING makes concurrent receivers safe:
    the loser of a race sees a duplicate."""
    return (
        insert_for(dialect, inbox)
        .on_conflict_do_nothing(index_elements=["connector", "dedupe_key"])
        .returning(inbox.c.id, inbox.c.connector, inbox.c.dedupe_key)
    )


# The columns an insert writes, in the order of the SQLite statement's VALUES.
_COLUMNS = (
    "connector",
    "dedupe_key",
    "account",
    "route",
    "received_at",
    "content_type",
    "body",
    "status",
    "note",
    "traceparent",
)
_values_of = operator.attrgetter(*_COLUMNS)  # a row's values as a tuple, built in C
_RECEIVED_AT = _COLUMNS.index("received_at")

_SQLITE_INSERT = f"INSERT INTO inbox ({', '.join(_COLUMNS)})"
_SQLITE_RETURNING = "ON CONFLICT (connector, dedupe_key) DO NOTHING RETURNING id, connector, dedupe_key"


def insert_new(conn: Connection, rows: Sequence[NewInboxRow]) -> dict[tuple[str, str], int]:
    """Insert the rows not seen before; return their ids by (connector, dedupe_key)."""
    if not rows:
        return {}
    values: list[tuple[Any, ...]] = [_values_of(r) for r in rows]
    raw = sqlite_fast.driver(conn)
    if raw is not None:
        at = _RECEIVED_AT  # bound as the UTC column type binds it
        values = [(*v[:at], sqlite_fast.sqlite_time(v[at]), *v[at + 1 :]) for v in values]
        returned = sqlite_fast.insert_returning(raw, _SQLITE_INSERT, _SQLITE_RETURNING, values)
    else:
        params = [dict(zip(_COLUMNS, v, strict=True)) for v in values]
        returned = [tuple(r) for r in conn.execute(_insert_new(conn.dialect.name), params)]
    return {(c, k): i for i, c, k in returned}


def set_status(conn: Connection, inbox_id: int, status: str, note: str | None = None) -> None:
    conn.execute(update(inbox).where(inbox.c.id == inbox_id).values(status=status, note=note))


def get(conn: Connection, inbox_id: int) -> InboxRow | None:
    row = conn.execute(select(inbox).where(inbox.c.id == inbox_id)).mappings().first()
    return InboxRow(**row) if row else None
