"""Wake relays when outbox rows commit: PostgreSQL delivers NOTIFY at commit; SQLite has no such thing."""

from __future__ import annotations

from sqlalchemy import Connection, text

CHANNEL = "hub_outbox"


def outbox_changed(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"NOTIFY {CHANNEL}"))
