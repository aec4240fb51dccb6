"""Inbox rows: every accepted payload, deduplicated per connector."""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from hub.store.repository import Repository
from hub.store.tables import INBOX_WRITE, inbox


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
    headers: dict[str, str] | None = None


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
    headers: dict[str, str] | None = None


_values_of = operator.attrgetter(*INBOX_WRITE)  # a row's values as a tuple, built in C


class Inbox(Repository):
    def insert_new(self, rows: Sequence[NewInboxRow]) -> dict[tuple[str, str], int]:
        """Insert the rows not seen before; return their ids by (connector, dedupe_key)."""
        if not rows:
            return {}
        values: list[tuple[Any, ...]] = [_values_of(r) for r in rows]
        return {(c, k): i for i, c, k in self.backend.insert_inbox(self.conn, values)}

    def set_status(self, inbox_id: int, status: str, note: str | None = None) -> None:
        self.conn.execute(update(inbox).where(inbox.c.id == inbox_id).values(status=status, note=note))

    def get(self, inbox_id: int) -> InboxRow | None:
        row = self.conn.execute(select(inbox).where(inbox.c.id == inbox_id)).mappings().first()
        return InboxRow(**row) if row else None
