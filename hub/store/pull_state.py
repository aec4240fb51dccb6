"""Pull streams' cursors and walks in progress, one row per (connector, stream, account)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select, update

from hub.store.pull_tables import pull_state
from hub.store.repository import Repository


@dataclass(frozen=True, slots=True)
class PullState:
    connector: str
    stream: str
    account: str
    cursor: str | None
    walk: dict[str, Any] | None
    last_started_at: datetime | None
    last_finished_at: datetime | None
    last_status: str | None
    last_error: str | None
    records: int
    pages: int
    lease_owner: str | None = None
    lease_until: float | None = None


def _key(connector: str, stream: str, account: str) -> object:
    c = pull_state.c
    return and_(c.connector == connector, c.stream == stream, c.account == account)


class PullStates(Repository):
    """Pull streams' state."""

    def read(self, connector: str, stream: str, account: str) -> PullState | None:
        row = self.conn.execute(
            select(pull_state).where(_key(connector, stream, account))  # type: ignore[arg-type]
        ).first()
        return PullState(*row) if row is not None else None

    def all_states(self) -> list[PullState]:
        rows = self.conn.execute(select(pull_state).order_by(*pull_state.primary_key.columns)).all()
        return [PullState(*row) for row in rows]

    def ensure(self, connector: str, stream: str, account: str) -> None:
        self.conn.execute(
            self.backend.insert(pull_state)
            .values(connector=connector, stream=stream, account=account, records=0, pages=0)
            .on_conflict_do_nothing(index_elements=["connector", "stream", "account"])
        )

    def started(self, connector: str, stream: str, account: str, at: datetime) -> None:
        self.ensure(connector, stream, account)
        self.conn.execute(
            update(pull_state)
            .where(_key(connector, stream, account))  # type: ignore[arg-type]
            .values(last_started_at=at, last_status="running", last_error=None)
        )

    def page_done(
        self,
        connector: str,
        stream: str,
        account: str,
        *,
        walk: dict[str, Any] | None,
        cursor: str | None,
        records: int,
    ) -> None:
        """Called in the transaction that stored the page's records: the walk (or the cursor, when the walk
        is complete) moves past the page together with them."""
        values: dict[str, Any] = {
            "walk": walk,
            "records": pull_state.c.records + records,
            "pages": pull_state.c.pages + 1,
        }
        if cursor is not None:
            values["cursor"] = cursor
        self.conn.execute(
            update(pull_state).where(_key(connector, stream, account)).values(**values)  # type: ignore[arg-type]
        )

    def finished(
        self,
        connector: str,
        stream: str,
        account: str,
        at: datetime,
        error: str | None,
        *,
        stopped: bool = False,
    ) -> None:
        """`stopped`: asked to stop between two pages; the stored walk is where the next sync goes on."""
        status = "failed" if error else "stopped" if stopped else "ok"
        self.conn.execute(
            update(pull_state)
            .where(_key(connector, stream, account))  # type: ignore[arg-type]
            .values(last_finished_at=at, last_status=status, last_error=error)
        )

    def claim(
        self,
        connector: str,
        stream: str,
        account: str,
        owner: str,
        now: float,
        ttl_s: float,
        alive: Callable[[str], bool],
    ) -> str | None:
        """Take the stream's lease for a sync; None when taken, else the owner holding it. A lease whose
        owner is known to be gone (a killed process on this host) is taken at once, any other once it
        expires."""
        self.ensure(connector, stream, account)
        query = select(pull_state.c.lease_owner, pull_state.c.lease_until).where(
            _key(connector, stream, account)  # type: ignore[arg-type]
        )
        row = self.conn.execute(self.backend.lock(query)).one()
        holder: str | None = row[0]
        until: float | None = row[1]
        if holder and holder != owner and until is not None and until > now and alive(holder):
            return str(holder)
        self.renew(connector, stream, account, owner, now + ttl_s)
        return None

    def renew(self, connector: str, stream: str, account: str, owner: str, until: float | None) -> None:
        self.conn.execute(
            update(pull_state)
            .where(_key(connector, stream, account))  # type: ignore[arg-type]
            .values(lease_owner=owner if until is not None else None, lease_until=until)
        )
