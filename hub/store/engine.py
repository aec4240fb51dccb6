"""Opening the store: one engine per process, tuned per backend, migrated to head."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.pool import NullPool

from hub.jsonio import json_text

log = logging.getLogger(__name__)


def normalize_url(url: str) -> str:
    """Accept the plain URLs people paste (postgresql://) and pick the driver we ship (psycopg 3)."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _sqlite_engine(url: str, store: Store) -> Engine:
    path = make_url(url).database
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"timeout": 30, "check_same_thread": False},
        json_serializer=json_text,
        hide_parameters=True,  # errors and logs would otherwise quote payload values: personal data
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin() emit BEGIN IMMEDIATE: a deferred BEGIN that later writes can fail
        # with "database is locked" instead of waiting its turn.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit is on disk before we answer 2xx (durability is the receiver's promise).
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if store.checkpointer is not None:
            # A commit that crosses the WAL's size limit would copy the WAL into the database and fsync
            # it before returning; the store's checkpointer thread does that instead, off the commit path.
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # On the DBAPI connection itself: through exec_driver_sql this statement cost as much as an INSERT.
        conn.connection.driver_connection.execute("BEGIN IMMEDIATE")  # type: ignore[union-attr]

    return engine


CHECKPOINT_INTERVAL_S = 0.5


class Checkpointer:
    """PASSIVE WAL checkpoints on a connection of its own, every interval: they never wait for the
    write lock nor hold one, so commits go on meanwhile (sqlite3 releases the GIL while it works)."""

    def __init__(self, path: str, interval_s: float) -> None:
        self.path, self.interval_s = path, interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA busy_timeout=30000")
            while not self._stop.wait(self.interval_s):
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error as exc:  # a busy database: the next round tries again
                    log.warning("WAL checkpoint failed: %s", exc)
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            conn.close()


class Store:
    """The database behind the hub, whichever backend the URL names."""

    def __init__(self, url: str, *, pool: bool = True) -> None:
        self.url = normalize_url(url)
        self.checkpointer: Checkpointer | None = None
        self._pinned = threading.local()
        self._pinned_all: list[Connection] = []
        self._pinned_lock = threading.Lock()
        backend = make_url(self.url).get_backend_name()
        if backend == "sqlite":
            self.engine = _sqlite_engine(self.url, self)
        elif backend == "postgresql":
            # hide_parameters: errors and logs would otherwise quote payload values (personal data).
            kwargs: dict[str, Any] = {"json_serializer": json_text, "hide_parameters": True}
            kwargs.update({"pool_pre_ping": True} if pool else {"poolclass": NullPool})
            self.engine = create_engine(self.url, **kwargs)
        else:
            raise ValueError(
                f"unsupported HUB_DATABASE_URL backend {backend!r}; use sqlite:/// or postgresql://"
            )
        self.backend = backend

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def pinned_transaction(self) -> Iterator[Connection]:
        """A transaction for a thread that commits again and again (the intake's committer). On SQLite
        the thread keeps its connection: checking one out of the pool and resetting it on return cost
        as much as the statements of a small batch. On PostgreSQL the pool's, whose pre-ping replaces a
        connection a server restart broke before it is used."""
        if self.backend != "sqlite":
            with self.transaction() as pooled:
                yield pooled
            return
        conn: Connection | None = getattr(self._pinned, "conn", None)
        if conn is None or conn.closed or conn.invalidated:
            if conn is not None:
                conn.close()
            conn = self._pinned.conn = self.engine.connect()
            with self._pinned_lock:
                self._pinned_all.append(conn)
        with conn.begin():
            yield conn

    def migrate(self) -> None:
        from hub.store.migrate import upgrade

        upgrade(self.engine)

    def checkpoint_in_background(self, interval_s: float = CHECKPOINT_INTERVAL_S) -> None:
        """SQLite: move WAL checkpoints off the commit path, into a thread of this process (a server's).
        Durability does not change: a commit is on disk once its WAL frames are (synchronous=FULL); a
        checkpoint only copies committed pages into the database file. No-op on PostgreSQL."""
        if self.backend != "sqlite" or self.checkpointer is not None:
            return
        path = make_url(self.url).database
        if not path or path == ":memory:":
            return
        self.checkpointer = Checkpointer(path, interval_s)
        self.engine.dispose()  # pooled connections reopen with wal_autocheckpoint=0
        self.checkpointer.start()

    def dispose(self) -> None:
        with self._pinned_lock:
            pinned, self._pinned_all = self._pinned_all, []
        for conn in pinned:
            try:
                conn.close()
            except Exception:  # a connection of a thread still working: it is gone with the engine anyway
                log.debug("closing a pinned connection failed", exc_info=True)
        if self.checkpointer is not None:
            self.checkpointer.stop()
            self.checkpointer = None
        self.engine.dispose()

    def describe(self) -> str:
        """The URL without its password, for logs and the CLI."""
        return make_url(self.url).render_as_string(hide_password=True)
