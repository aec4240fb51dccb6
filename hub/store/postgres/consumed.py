"""The consumer groups' hot statements on the psycopg cursor of the unit of work's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import psycopg
from sqlalchemy import Connection

from hub.store import consumer_sql as sql
from hub.store.backend import driver_errors
from hub.store.postgres.statements import cursor_of

# One statement for the whole batch; concurrent members of a group each get only the ids they inserted.
_CLAIM = f"{sql.CLAIM_HEAD} SELECT %(group)s, e, %(at)s FROM unnest(%(ids)s::text[]) AS e {sql.CLAIM_TAIL}"
_AUDIT = sql.audit_insert("%s")
_ORDER_VIEW = sql.order_view_upsert("%s", "GREATEST")


def claim_events(conn: Connection, group: str, event_ids: Sequence[str], at: datetime) -> set[str]:
    cursor = cursor_of(conn)
    with driver_errors(psycopg.Error, _CLAIM):
        cursor.execute(_CLAIM, {"group": group, "at": at, "ids": list(dict.fromkeys(event_ids))})
        return {r[0] for r in cursor.fetchall()}


def append_audit(conn: Connection, rows: Sequence[sql.AuditValues]) -> None:
    with driver_errors(psycopg.Error, _AUDIT):
        cursor_of(conn).executemany(_AUDIT, rows)


def upsert_order_views(conn: Connection, rows: Sequence[sql.OrderViewValues]) -> None:
    with driver_errors(psycopg.Error, _ORDER_VIEW):
        cursor_of(conn).executemany(_ORDER_VIEW, rows)
