"""The consumer groups' hot statements on SQLite's driver, inside the unit of work's transaction, binding
times as the column type does (time.to_text)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection

from hub.store import consumer_sql as sql
from hub.store.backend import driver_errors
from hub.store.sqlite import time
from hub.store.sqlite.statements import driver, insert_returning

_AUDIT = sql.audit_insert("?")
_ORDER_VIEW = sql.order_view_upsert("?", "max")


def claim_events(conn: Connection, group: str, event_ids: Sequence[str], at: datetime) -> set[str]:
    stamp = time.to_text(at)
    rows = [(group, e, stamp) for e in dict.fromkeys(event_ids)]
    with driver_errors(sqlite3.Error, sql.CLAIM_HEAD):
        return {r[0] for r in insert_returning(driver(conn), (sql.CLAIM_HEAD, sql.CLAIM_TAIL), rows)}


def append_audit(conn: Connection, rows: Sequence[sql.AuditValues]) -> None:
    texts = _texts({r[5] for r in rows})
    with driver_errors(sqlite3.Error, _AUDIT):
        driver(conn).executemany(_AUDIT, [(*r[:5], texts[r[5]]) for r in rows])


def upsert_order_views(conn: Connection, rows: Sequence[sql.OrderViewValues]) -> None:
    texts = _texts({r[7] for r in rows})
    with driver_errors(sqlite3.Error, _ORDER_VIEW):
        driver(conn).executemany(_ORDER_VIEW, [(*r[:7], texts[r[7]]) for r in rows])


def _texts(moments: set[datetime]) -> dict[datetime, str]:
    """time.to_text once per moment: a batch's rows mostly share few."""
    return {m: time.to_text(m) for m in moments}
