"""The store's port: everything that differs between the databases the hub runs on.

The schema (tables.py), the repositories' queries and the unit of work are written once, in SQLAlchemy
Core. What a database does its own way lives behind this interface, one adapter per backend:
hub/store/sqlite/ and hub/store/postgres/. Code outside those two folders never asks which one it is on.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, Select, Table
from sqlalchemy.exc import DBAPIError

from hub.store.consumer_sql import AuditValues, OrderViewValues
from hub.store.wakeup import Wakeup

InboxValues = tuple[Any, ...]  # one inbox row in the order of tables.INBOX_WRITE


class Backend(ABC):
    url: str  # with the driver the hub ships, password included: for connections only, never logs
    engine: Engine  # the writers' engine; migrations run on it

    # -- transactions and locking

    @abstractmethod
    def transaction(self, *, write: bool, pinned: bool = False) -> AbstractContextManager[Connection]:
        """A connection inside a begun transaction (see `begun`). `write=False`: read-only work, which must
        neither wait for nor hold a writer's lock. `pinned`: a hint from a thread that commits again and
        again."""

    @abstractmethod
    def lock(self, query: Select[Any], *, shared: bool = False, skip_locked: bool = False) -> Select[Any]:
        """`query` made to lock the rows it reads until commit (where the database locks rows at all)."""

    @abstractmethod
    def lock_keys(self, conn: Connection, space: int, keys: Collection[int]) -> None:
        """Lock application-defined keys until commit, also keys no row stands for yet."""

    # -- SQL that is written differently

    @abstractmethod
    def insert(self, table: Table) -> Any:
        """An INSERT for `table` that supports on_conflict_do_nothing / on_conflict_do_update."""

    @abstractmethod
    def now_plus(self, seconds: float) -> ColumnElement[datetime]:
        """The database's clock plus `seconds`: every process judges expiry by the same clock."""

    @abstractmethod
    def delete_oldest(
        self, conn: Connection, table: Table, where: ColumnElement[bool], order: Any, n: int
    ) -> int:
        """Delete up to `n` rows matching `where`, oldest by `order` first; concurrent callers take
        different rows. Returns how many were deleted."""

    # -- the hot paths: intake's statements and the relay's reads and marks

    @abstractmethod
    def insert_inbox(self, conn: Connection, rows: Sequence[InboxValues]) -> list[tuple[int, str, str]]:
        """Insert the rows whose (connector, dedupe_key) is new; (id, connector, dedupe_key) of those."""

    @abstractmethod
    def bump_sequences(self, conn: Connection, counts: Sequence[tuple[str, int]]) -> dict[str, int]:
        """Raise each key's sequence by its count (keys in sorted order); the new last value per key."""

    @abstractmethod
    def append_outbox(self, conn: Connection, rows: list[dict[str, Any]], created_at: datetime) -> None:
        """Insert outbox rows as outbox.row builds them (all created at `created_at`), and tell waiting
        relays at commit."""

    @abstractmethod
    def load_orders(self, conn: Connection, keys: Sequence[tuple[str, str]]) -> list[tuple[str, str, Any]]:
        """(channel, order id, detail as parsed JSON) of those of `keys` that are stored, locked until commit
        (the caller took the keys' locks first)."""

    @abstractmethod
    def save_orders(self, conn: Connection, rows: Sequence[tuple[Any, ...]], updated_at: datetime) -> None:
        """Insert or update orders, one statement for all: values in the order of
        commerce_tables.ORDERS_WRITE without updated_at. An account of None keeps the stored one."""

    @abstractmethod
    def record_history(
        self, conn: Connection, rows: Sequence[tuple[Any, ...]], recorded_at: datetime
    ) -> None:
        """Append order history rows, one statement for all: values in the order of
        commerce_tables.HISTORY_WRITE without recorded_at."""

    @abstractmethod
    def pending_outbox(
        self, conn: Connection, limit: int, shards: Sequence[int] | None, exclude: Collection[int]
    ) -> list[tuple[Any, ...]]:
        """Unpublished rows in id order: (id, shard, topic, partition_key, headers as JSON text, payload,
        created_at in epoch milliseconds)."""

    @abstractmethod
    def mark_published(self, conn: Connection, ids: Sequence[int], at: datetime) -> None: ...

    # -- the consumer groups' hot paths: the dedupe claims and the built-in groups' rows (consumer_sql.py)

    @abstractmethod
    def claim_events(self, conn: Connection, group: str, event_ids: Sequence[str], at: datetime) -> set[str]:
        """Claim for `group` each of `event_ids` it holds no claim for yet; the ids claimed now."""

    @abstractmethod
    def append_audit(self, conn: Connection, rows: Sequence[AuditValues]) -> None: ...

    @abstractmethod
    def upsert_order_views(self, conn: Connection, rows: Sequence[OrderViewValues]) -> None:
        """Per order (one row each): add its events to the count; insert an order not seen before, and
        take the row's values only where its last_sequence is newer than the stored one."""

    # -- running it

    @abstractmethod
    def wakeup(self) -> Wakeup:
        """How an idle relay learns that outbox rows were committed, by this process or another."""

    @abstractmethod
    def lock_migrations(self, conn: Connection) -> None:
        """Inside the migration's transaction: make concurrent starters wait for each other."""

    @abstractmethod
    def probe_engine(self, timeout_s: float) -> Engine:
        """An engine for readiness probes: every connection new (a pooled one can keep working on a
        database that is gone, or find out only when used), reaching only a database that exists, giving
        up after about `timeout_s`."""

    @abstractmethod
    def checkpoint_in_background(self) -> None:
        """Move housekeeping off the commit path, into a thread of this (server) process, if any."""

    @abstractmethod
    def dispose(self) -> None: ...


@contextmanager
def begun(conn: Connection) -> Iterator[Connection]:
    """`conn` in a begun transaction. The caller commits (and may go on: SQLAlchemy begins the next one);
    whatever is not committed when the block ends is rolled back."""
    conn.begin()
    try:
        yield conn
    finally:
        conn.rollback()


@contextmanager
def driver_errors(base: type[Exception], statement: str) -> Iterator[None]:
    """A driver's error (`base` and its kinds) raised as SQLAlchemy raises it, for the statements an
    adapter runs on the driver itself: callers tell a store failure (OperationalError) from a refused
    value (IntegrityError) the same way, whichever way the statement went."""
    try:
        yield
    except base as exc:
        raise DBAPIError.instance(statement, None, exc, base, hide_parameters=True) from exc
