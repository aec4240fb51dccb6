"""The quarantine's audit trail: who discarded or re-normalized a held payload, when, and why.

A repository of its own, reached as `uow.get(QuarantineAudit)`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select

from hub.store.repository import Repository
from hub.store.tables import quarantine_audit


@dataclass(frozen=True, slots=True)
class AuditEntry:
    action: str
    reason: str | None
    actor: str
    at: datetime


class QuarantineAudit(Repository):
    def add(self, inbox_id: int, action: str, reason: str | None, actor: str, at: datetime) -> None:
        self.conn.execute(
            insert(quarantine_audit).values(
                inbox_id=inbox_id, action=action, reason=reason, actor=actor, at=at
            )
        )

    def of_delivery(self, inbox_id: int) -> list[AuditEntry]:
        t = quarantine_audit
        query = (
            select(t.c.action, t.c.reason, t.c.actor, t.c.at).where(t.c.inbox_id == inbox_id).order_by(t.c.id)
        )
        return [AuditEntry(*row) for row in self.conn.execute(query)]
