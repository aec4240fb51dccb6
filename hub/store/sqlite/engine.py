"""SQLite's engines and locking. One database-wide write lock: a writer takes it when it begins (BEGIN
IMMEDIATE), so it waits its turn instead of failing with "database is locked" when a deferred transaction
tries to write late. Readers begin deferred on connections that refuse to write: in WAL mode they read a
snapshot while a writer holds the lock, and never take it."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.pool import NullPool

from hub.jsonio import json_text
from hub.store.sqlite.checkpoint import Checkpointer

log = logging.getLogger(__name__)


def _engine(
    url: str,
    pragmas: Callable[[], list[str]],
    begin: str,
    before_begin: Callable[[sqlite3.Connection], None] | None = None,
) -> Engine:
    engine = create_engine(
        url,
        connect_args={"timeout": 30, "check_same_thread": False},
        json_serializer=json_text,
        hide_parameters=True,  # errors and logs would otherwise quote payload values: personal data
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # The driver's own transaction handling off: SQLAlchemy's begin() emits ours (below).
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        for pragma in ["PRAGMA journal_mode=WAL", "PRAGMA busy_timeout=30000", *pragmas()]:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        driver: sqlite3.Connection = conn.connection.driver_connection  # type: ignore[assignment]
        if before_begin is not None:
            before_begin(driver)
        # On the DBAPI connection itself: through exec_driver_sql this statement cost as much as an INSERT.
        driver.execute(begin)

    return engine


def writer_engine(url: str, checkpointer: Callable[[], Checkpointer | None]) -> Engine:
    def pragmas() -> list[str]:
        # FULL: a commit is on disk before we answer 2xx (durability is the receiver's promise).
        found = ["PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"]
        if checkpointer() is not None:
            # A commit that crosses the WAL's size limit would copy the WAL into the database and fsync
            # it before returning; the store's checkpointer thread does that instead.
            found.append("PRAGMA wal_autocheckpoint=0")
        return found

    def before_begin(conn: sqlite3.Connection) -> None:
        found = checkpointer()
        if found is not None:
            found.before_write(conn)

    return _engine(url, pragmas, "BEGIN IMMEDIATE", before_begin)


def reader_engine(url: str) -> Engine:
    return _engine(url, lambda: ["PRAGMA query_only=ON"], "BEGIN")


def probe_engine(url: str, timeout_s: float) -> Engine:
    """Unpooled, and mode=rw: a missing file is an error, not a new empty database."""
    parsed = make_url(url)
    parsed = parsed.set(database=f"file:{parsed.database}", query={"mode": "rw", "uri": "true"})
    return create_engine(
        parsed, poolclass=NullPool, connect_args={"timeout": timeout_s}, hide_parameters=True
    )


class Pinned:
    """A writer connection per thread, for threads that commit again and again (the intake's committer):
    checking one out of the pool and resetting it on return cost as much as the statements of a small
    batch."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._local = threading.local()
        self._all: list[Connection] = []
        self._lock = threading.Lock()

    def connection(self) -> Connection:
        """This thread's connection, opened anew if the last one broke."""
        conn: Connection | None = getattr(self._local, "conn", None)
        if conn is None or conn.closed or conn.invalidated:
            if conn is not None:
                conn.close()
            conn = self._local.conn = self.engine.connect()
            with self._lock:
                self._all.append(conn)
        return conn

    def close(self) -> None:
        with self._lock:
            pinned, self._all = self._all, []
        for conn in pinned:
            try:
                conn.close()
            except Exception:  # a connection of a thread still working: it is gone with the engine anyway
                log.debug("closing a pinned connection failed", exc_info=True)
