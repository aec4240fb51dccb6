"""The audit log: a row per event a consumer group applied, in the order it applied them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from hub.events import Event
from hub.store.backend import Backend
from hub.store.consumer_sql import AuditValues
from hub.store.repository import Repository


class AuditLog(Repository):
    """While the unit of work batches, rows are gathered and inserted in one statement when it flushes: a
    group applies a batch of events per transaction, and a statement per row was most of its cost."""

    def __init__(self, conn: Connection, backend: Backend) -> None:
        super().__init__(conn, backend)
        self._rows: list[AuditValues] = []

    def record(self, group: str, event: Event, at: datetime) -> None:
        self._rows.append((group, event.id, event.type, event.partitionkey, event.sequence, at))
        if not self.batching:
            self.flush()

    def flush(self) -> None:
        if self._rows:
            rows, self._rows = self._rows, []
            self.backend.append_audit(self.conn, rows)

    def discard(self) -> None:
        self._rows = []
