"""The unit of work: one transaction and the repositories that act in it.

Services and consumer handlers get one instead of a connection:

    with store.unit_of_work() as uow:
        ids = uow.inbox.insert_new(rows)
        uow.outbox.append(events, now)   # the events commit with the state change, or neither does
        uow.commit()                     # without it everything is rolled back when the block ends

`store.read_only()` gives one for reads: on SQLite it neither waits for nor takes the write lock, and on
both backends a write in it fails.

Adding a repository: subclass hub.store.repository.Repository (its methods use self.conn and, where the
databases differ, self.backend), then reach it with `uow.get(MyRepository)`: built on first use, once per
unit of work, in the same transaction. The hub's own also get a property below, so every service and
handler sees them as `uow.<name>`. A repository's new table goes into hub/store/tables.py with an Alembic
migration beside the others (tests/store/test_migrations.py checks that the two agree).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import Connection

from hub.store.applied import Applied
from hub.store.audit import AuditLog
from hub.store.backend import Backend
from hub.store.dead_letters import DeadLetters
from hub.store.inbox import Inbox
from hub.store.leases import Leases
from hub.store.ledger import Ledger
from hub.store.order_views import OrderViews
from hub.store.outbox import Outbox
from hub.store.quarantine import Quarantine
from hub.store.replay_marks import ReplayMarks
from hub.store.repository import BATCHING, Repository
from hub.store.sequences import Sequences

R = TypeVar("R", bound=Repository)


class UnitOfWork:
    def __init__(self, conn: Connection, backend: Backend) -> None:
        self._conn = conn
        self._backend = backend
        self._repositories: dict[type[Repository], Repository] = {}

    def get(self, kind: type[R]) -> R:
        """The unit's instance of any repository class: built on first use, then the same one."""
        found = self._repositories.get(kind)
        if found is None:
            found = self._repositories[kind] = kind(self._conn, self._backend)
        return found  # type: ignore[return-value]

    def commit(self) -> None:
        """Make everything done so far durable. The unit stays usable: what follows is a new transaction."""
        self.flush()
        self._conn.commit()

    def rollback(self) -> None:
        self._discard()
        self._conn.rollback()

    def flush(self) -> None:
        """Write what repositories hold back (see Repository.flush)."""
        for repository in self._repositories.values():
            repository.flush()

    def _discard(self) -> None:
        for repository in self._repositories.values():
            repository.discard()

    @contextmanager
    def batched(self) -> Iterator[None]:
        """Writes in the block may be gathered and made together when it ends (a consumer group's batch).
        Meanwhile a read may not see them: use it where the block only writes what it reads nowhere."""
        self._conn.info[BATCHING] = True
        try:
            yield
            self.flush()
        finally:
            self._conn.info.pop(BATCHING, None)

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A part of the transaction that is undone alone when the block raises (the exception goes on);
        what came before it stays."""
        self.flush()
        nested = self._conn.begin_nested()
        try:
            yield
            self.flush()
        except BaseException:
            self._discard()
            nested.rollback()
            raise
        nested.commit()

    @property
    def inbox(self) -> Inbox:
        return self.get(Inbox)

    @property
    def outbox(self) -> Outbox:
        return self.get(Outbox)

    @property
    def quarantine(self) -> Quarantine:
        return self.get(Quarantine)

    @property
    def sequences(self) -> Sequences:
        return self.get(Sequences)

    @property
    def ledger(self) -> Ledger:
        """The per-SKU inventory levels."""
        return self.get(Ledger)

    @property
    def applied(self) -> Applied:
        """Which events each consumer group has applied: the dedupe behind exactly-once effects."""
        return self.get(Applied)

    @property
    def leases(self) -> Leases:
        """Relay membership and outbox shard leases."""
        return self.get(Leases)

    @property
    def audit_log(self) -> AuditLog:
        return self.get(AuditLog)

    @property
    def order_views(self) -> OrderViews:
        return self.get(OrderViews)

    @property
    def dead_letters(self) -> DeadLetters:
        """What consumer groups gave up on, and the keys parked behind it."""
        return self.get(DeadLetters)

    @property
    def replay_marks(self) -> ReplayMarks:
        return self.get(ReplayMarks)
