"""Inbox rows: every accepted payload, deduplicated per connector."""

from __future__ import annotations

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


_SQLITE_INSERT = (
    "INSERT INTO inbox (connector, dedupe_key, account, route, received_at, content_type, body, status, "
    "note, traceparent)"
)
_SQLITE_RETURNING = "ON CONFLICT (connector, dedupe_key) DO NOTHING RETURNING id, connector, dedupe_key"


def insert_new(conn: Connection, rows: Sequence[NewInboxRow]) -> dict[tuple[str, str], int]:
    """Insert the rows not seen before; return their ids by (connector, dedupe_key)."""
    if not rows:
        return {}
    raw = sqlite_fast.driver(conn)
    if raw is not None:
        values = [
            (
                r.connector,
                r.dedupe_key,
                r.account,
                r.route,
                sqlite_fast.sqlite_time(r.received_at),
                r.content_type,
                r.body,
                r.status,
                r.note,
                r.traceparent,
            )
            for r in rows
        ]
        returned = sqlite_fast.insert_returning(raw, _SQLITE_INSERT, _SQLITE_RETURNING, values)
        return {(c, k): i for i, c, k in returned}
    params: list[dict[str, Any]] = [
        {
            "connector": r.connector,
            "dedupe_key": r.dedupe_key,
            "account": r.account,
            "route": r.route,
            "received_at": r.received_at,
            "content_type": r.content_type,
            "body": r.body,
            "status": r.status,
            "note": r.note,
            "traceparent": r.traceparent,
        }
        for r in rows
    ]
    return {(c, k): i for i, c, k in conn.execute(_insert_new(conn.dialect.name), params).all()}


def set_status(conn: Connection, inbox_id: int, status: str, note: str | None = None) -> None:
    conn.execute(update(inbox).where(inbox.c.id == inbox_id).values(status=status, note=note))


def get(conn: Connection, inbox_id: int) -> InboxRow | None:
    row = conn.execute(select(inbox).where(inbox.c.id == inbox_id)).mappings().first()
    return InboxRow(**row) if row else None
