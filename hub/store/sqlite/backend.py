"""The store on SQLite: one file, one process tree, one write lock for the whole database."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ColumnClause,
    ColumnElement,
    Connection,
    Engine,
    Select,
    Table,
    delete,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import make_url

from hub.store.backend import Backend, begun
from hub.store.sqlite import consumed, statements, time
from hub.store.sqlite.checkpoint import Checkpointer
from hub.store.sqlite.engine import Pinned, probe_engine, reader_engine, writer_engine
from hub.store.types import UTCDateTime
from hub.store.wakeup import Wakeup

_ROWID: ColumnClause[Any] = literal_column("rowid")


class SqliteBackend(Backend):
    def __init__(self, url: str) -> None:
        path = make_url(url).database or ""
        if not path or path == ":memory:":
            raise ValueError("a SQLite store needs a file, e.g. sqlite:///.hub/hub.db")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.url, self.path = url, path
        self.checkpointer: Checkpointer | None = None
        self.engine = writer_engine(url, lambda: self.checkpointer)
        self.readers = reader_engine(url)
        self.pinned = Pinned(self.engine)

    @contextmanager
    def transaction(self, *, write: bool, pinned: bool = False) -> Iterator[Connection]:
        if write and pinned:
            with begun(self.pinned.connection()) as conn:
                yield conn
            return
        with (self.engine if write else self.readers).connect() as conn, begun(conn):
            yield conn

    # The write lock is the whole database's, taken by every writer at BEGIN: rows and keys need no
    # lock of their own.
    def lock(self, query: Select[Any], *, shared: bool = False, skip_locked: bool = False) -> Select[Any]:
        return query

    def lock_keys(self, conn: Connection, space: int, keys: Collection[int]) -> None:
        return None

    def insert(self, table: Table) -> Any:
        return sqlite.insert(table)

    def now_plus(self, seconds: float) -> ColumnElement[datetime]:
        return func.strftime(time.NOW_FORMAT, "now", f"{float(seconds):+f} seconds", type_=UTCDateTime)

    def delete_oldest(
        self, conn: Connection, table: Table, where: ColumnElement[bool], order: Any, n: int
    ) -> int:
        oldest = select(_ROWID).select_from(table).where(where).order_by(order).limit(n)
        return conn.execute(delete(table).where(_ROWID.in_(oldest.scalar_subquery()))).rowcount or 0

    # The hot statements, written for SQLite's driver (statements.py).
    insert_inbox = staticmethod(statements.insert_inbox)
    bump_sequences = staticmethod(statements.bump_sequences)
    append_outbox = staticmethod(statements.append_outbox)  # relays of this process: intake notifies them
    load_orders = staticmethod(statements.load_orders)
    save_orders = staticmethod(statements.save_orders)
    record_history = staticmethod(statements.record_history)
    pending_outbox = staticmethod(statements.pending_outbox)
    mark_published = staticmethod(statements.mark_published)
    claim_events = staticmethod(consumed.claim_events)
    append_audit = staticmethod(consumed.append_audit)
    upsert_order_views = staticmethod(consumed.upsert_order_views)

    def wakeup(self) -> Wakeup:
        # No signal crosses processes here: this process's intake notifies, and the relay polls.
        return Wakeup()

    def lock_migrations(self, conn: Connection) -> None:
        return None  # the migration's transaction holds the write lock from its BEGIN IMMEDIATE

    def probe_engine(self, timeout_s: float) -> Engine:
        # A pooled connection keeps writing to a database file that was deleted or moved away (to its
        # inode, lost at the next start).
        return probe_engine(self.url, timeout_s)

    def checkpoint_in_background(self) -> None:
        """Durability does not change: a commit is on disk once its WAL frames are (synchronous=FULL); a
        checkpoint only copies committed pages into the database file."""
        if self.checkpointer is not None:
            return
        self.checkpointer = Checkpointer(self.path)
        self.engine.dispose()  # pooled connections reopen with wal_autocheckpoint=0
        self.checkpointer.start()

    def dispose(self) -> None:
        self.pinned.close()
        if self.checkpointer is not None:
            self.checkpointer.stop()
            self.checkpointer = None
        self.engine.dispose()
        self.readers.dispose()
