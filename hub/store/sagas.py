"""Checkout sagas: each one's state after its last step, and the steps it took."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update

from hub.domain.saga import DONE, Saga, Status
from hub.store.commerce_tables import saga_steps, sagas
from hub.store.repository import Repository


@dataclass(frozen=True)
class SagaRow:
    saga: Saga
    request: dict[str, Any]
    order_id: str
    created_at: datetime
    updated_at: datetime


def _state(saga: Saga) -> dict[str, Any]:
    return {
        "payment_id": saga.payment_id,
        "authorization_expires_at": saga.authorization_expires_at.isoformat()
        if saga.authorization_expires_at
        else None,
        "authorize_tried": saga.authorize_tried,
        "reserved": saga.reserved,
        "released": saga.released,
        "voided": saga.voided,
        "reason": saga.reason,
        "attempts": saga.attempts,
    }


def _saga(m: Any) -> Saga:
    s = m["state"]
    expires = s.get("authorization_expires_at")
    return Saga(
        saga_id=m["saga_id"],
        variant=m["variant"],
        status=Status(m["status"]),
        deadline=m["deadline"],
        payment_id=s.get("payment_id"),
        authorization_expires_at=datetime.fromisoformat(expires) if expires else None,
        authorize_tried=s.get("authorize_tried", False),
        reserved=s.get("reserved", False),
        released=s.get("released", False),
        voided=s.get("voided", False),
        reason=s.get("reason"),
        attempts=s.get("attempts", 0),
    )


class Sagas(Repository):
    def create(self, saga: Saga, request: dict[str, Any], order_id: str, at: datetime) -> bool:
        """Insert a new saga; False when one with this id exists (the same checkout asked again)."""
        stmt = self.backend.insert(sagas).values(
            saga_id=saga.saga_id,
            variant=saga.variant,
            status=saga.status.value,
            deadline=saga.deadline,
            state=_state(saga),
            request=request,
            order_id=order_id,
            created_at=at,
            updated_at=at,
        )
        done = self.conn.execute(stmt.on_conflict_do_nothing(index_elements=["saga_id"]))
        return bool(done.rowcount)

    def get(self, saga_id: str, *, lock: bool = False) -> SagaRow | None:
        query = select(sagas).where(sagas.c.saga_id == saga_id)
        row = self.conn.execute(self.backend.lock(query) if lock else query).first()
        if row is None:
            return None
        m = row._mapping
        return SagaRow(_saga(m), dict(m["request"]), m["order_id"], m["created_at"], m["updated_at"])

    def save(self, saga: Saga, at: datetime) -> None:
        self.conn.execute(
            update(sagas)
            .where(sagas.c.saga_id == saga.saga_id)
            .values(status=saga.status.value, deadline=saga.deadline, state=_state(saga), updated_at=at)
        )

    def log(self, saga_id: str, step: str, outcome: str, detail: str | None, at: datetime) -> None:
        self.conn.execute(
            insert(saga_steps).values(saga_id=saga_id, step=step, outcome=outcome, detail=detail, at=at)
        )

    def unfinished(self, variant: str | None = None, limit: int = 1000) -> list[str]:
        query = (
            select(sagas.c.saga_id)
            .where(sagas.c.status.not_in([s.value for s in DONE]))
            .order_by(sagas.c.updated_at)
            .limit(limit)
        )
        if variant is not None:
            query = query.where(sagas.c.variant == variant)
        return [saga_id for (saga_id,) in self.conn.execute(query)]

    def find(self, status: str | None = None, limit: int = 100) -> list[SagaRow]:
        query = select(sagas).order_by(sagas.c.updated_at.desc()).limit(limit)
        if status:
            query = query.where(sagas.c.status == status)
        return [
            SagaRow(_saga(r._mapping), dict(r.request), r.order_id, r.created_at, r.updated_at)
            for r in self.conn.execute(query)
        ]

    def steps(self, saga_id: str) -> list[dict[str, Any]]:
        query = select(saga_steps).where(saga_steps.c.saga_id == saga_id).order_by(saga_steps.c.id)
        return [dict(r._mapping) for r in self.conn.execute(query)]
