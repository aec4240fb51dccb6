"""The queue of follow-up fetches (enrichment of thin notifications), one pending row per key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy import insert as insert_plain

from hub.store.pull_tables import fetch_queue
from hub.store.repository import Repository
from hub.store.tables import inbox, quarantine


@dataclass(frozen=True, slots=True)
class FetchRow:
    id: int
    connector: str
    route: str
    account: str | None
    key: str
    inbox_id: int
    generation: int
    attempts: int


class Fetches(Repository):
    """The fetch queue."""

    def enqueue(
        self, connector: str, route: str, account: str | None, key: str, inbox_id: int, now: float
    ) -> None:
        """Ask for a fetch of `key`; an ask while one is pending or running raises its generation, so a
        fetch that started before this ask runs again (the record may have changed since)."""
        stmt = self.backend.insert(fetch_queue).values(
            connector=connector,
            route=route,
            account=account,
            key=key,
            inbox_id=inbox_id,
            generation=1,
            attempts=0,
            due_at=now,
        )
        self.conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["connector", "route", "key"],
                set_={"generation": fetch_queue.c.generation + 1, "inbox_id": inbox_id},
            )
        )

    def claim(self, now: float, lease_s: float, limit: int) -> list[FetchRow]:
        c = fetch_queue.c
        query = (
            select(c.id, c.connector, c.route, c.account, c.key, c.inbox_id, c.generation, c.attempts)
            .where(c.due_at <= now)
            .where(or_(c.lease_until.is_(None), c.lease_until < now))
            .order_by(c.due_at)
            .limit(limit)
        )
        query = self.backend.lock(query, skip_locked=True)
        # The attempt being started counts: the rows say so, as the table will after the update below.
        rows = [
            FetchRow(r.id, r.connector, r.route, r.account, r.key, r.inbox_id, r.generation, r.attempts + 1)
            for r in self.conn.execute(query).all()
        ]
        if rows:
            self.conn.execute(
                update(fetch_queue)
                .where(c.id.in_([r.id for r in rows]))
                .values(lease_until=now + lease_s, attempts=c.attempts + 1)
            )
        return rows

    def done(self, row: FetchRow) -> None:
        """Remove the row unless a newer ask came meanwhile; then it is due again at once."""
        self.conn.execute(
            delete(fetch_queue)
            .where(fetch_queue.c.id == row.id)
            .where(fetch_queue.c.generation == row.generation)
        )
        self.conn.execute(
            update(fetch_queue).where(fetch_queue.c.id == row.id).values(lease_until=None, attempts=0)
        )

    def retry_later(self, row: FetchRow, error: str, due_at: float) -> None:
        self.conn.execute(
            update(fetch_queue)
            .where(fetch_queue.c.id == row.id)
            .values(lease_until=None, due_at=due_at, last_error=error)
        )

    def drop(self, row: FetchRow) -> None:
        self.conn.execute(delete(fetch_queue).where(fetch_queue.c.id == row.id))

    def due(self, now: float) -> bool:
        c = fetch_queue.c
        query = select(c.id).where(c.due_at <= now).where(or_(c.lease_until.is_(None), c.lease_until < now))
        return self.conn.execute(query.limit(1)).first() is not None

    def pending(self) -> int:
        return len(self.conn.execute(select(fetch_queue.c.id)).all())

    def quarantine_notification(self, row: FetchRow, reason: str, at: datetime) -> None:
        """The fetch gave up: the notification that asked for it is quarantined with the reason, so it is
        visible and `hub quarantine retry` fetches again once the cause is fixed."""
        self.conn.execute(delete(fetch_queue).where(fetch_queue.c.id == row.id))
        existing = self.conn.execute(
            select(quarantine.c.id).where(quarantine.c.inbox_id == row.inbox_id)
        ).first()
        if existing is None:
            self.conn.execute(
                insert_plain(quarantine).values(
                    inbox_id=row.inbox_id,
                    connector=row.connector,
                    mapping=row.route,
                    reason=reason,
                    quarantined_at=at,
                    last_attempt_at=at,
                    attempts=row.attempts,
                )
            )
        else:
            self.conn.execute(
                update(quarantine)
                .where(quarantine.c.id == existing[0])
                .values(
                    reason=reason, resolved_at=None, last_attempt_at=at, attempts=quarantine.c.attempts + 1
                )
            )
        self.conn.execute(update(inbox).where(inbox.c.id == row.inbox_id).values(status="quarantined"))
