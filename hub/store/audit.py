"""The audit log: a row per event a consumer group applied, in the order it applied them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert

from hub.events import Event
from hub.store.repository import Repository
from hub.store.tables import audit_log


class AuditLog(Repository):
    def record(self, group: str, event: Event, at: datetime) -> None:
        self.conn.execute(
            insert(audit_log).values(
                group_name=group,
                event_id=event.id,
                event_type=event.type,
                partition_key=event.partitionkey,
                sequence=event.sequence,
                recorded_at=at,
            )
        )
