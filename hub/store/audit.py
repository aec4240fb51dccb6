"""The audit log: a row per event a consumer group applied, in the order it applied them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert

from hub.events import Event
from hub.store.backend import Backend
from hub.store.repository import Repository
from hub.store.tables import audit_log


class AuditLog(Repository):
    """While the unit of work batches, rows are gathered and inserted in one statement when it flushes: a
    group applies a batch of events per transaction, and a statement per row was most of its cost."""

    def __init__(self, conn: Connection, backend: Backend) -> None:
        super().__init__(conn, backend)
        self._rows: list[dict[str, Any]] = []

    def record(self, group: str, event: Event, at: datetime) -> None:
        self._rows.append(
            {
                "group_name": group,
                "event_id": event.id,
                "event_type": event.type,
                "partition_key": event.partitionkey,
                "sequence": event.sequence,
                "recorded_at": at,
            }
        )
        if not self.batching:
            self.flush()

    def flush(self) -> None:
        if self._rows:
            rows, self._rows = self._rows, []
            self.conn.execute(insert(audit_log), rows)

    def discard(self) -> None:
        self._rows = []
