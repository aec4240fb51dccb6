"""Alert rows: failures recorded where someone will see them (`hub alerts`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select

from hub.store.repository import Repository
from hub.store.tables import alerts


@dataclass(frozen=True, slots=True)
class Alert:
    id: int
    source: str
    run_id: str | None
    message: str
    raised_at: datetime


class Alerts(Repository):
    def add(self, source: str, message: str, at: datetime, run_id: str | None = None) -> int:
        values = {"source": source, "run_id": run_id, "message": message, "raised_at": at}
        return int(self.conn.execute(insert(alerts).values(**values).returning(alerts.c.id)).scalar_one())

    def latest(self, limit: int, source: str | None = None) -> list[Alert]:
        query = select(alerts).order_by(alerts.c.id.desc()).limit(limit)
        if source:
            query = query.where(alerts.c.source == source)
        return [Alert(**r) for r in self.conn.execute(query).mappings().all()]
