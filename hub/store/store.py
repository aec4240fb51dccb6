"""Opening the store: the adapter its URL names, and units of work on it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, make_url

from hub.store.backend import Backend
from hub.store.uow import UnitOfWork
from hub.store.wakeup import Wakeup


def open_backend(url: str, *, pool: bool = True) -> Backend:
    """The one place that maps a URL to an adapter."""
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        from hub.store.sqlite.backend import SqliteBackend

        return SqliteBackend(url)
    if backend in {"postgresql", "postgres"}:
        from hub.store.postgres.backend import PostgresBackend

        return PostgresBackend(url, pool=pool)
    raise ValueError(f"unsupported HUB_DATABASE_URL backend {backend!r}; use sqlite:/// or postgresql://")


class Store:
    """The database behind the hub, whichever backend the URL names."""

    def __init__(self, url: str, *, pool: bool = True) -> None:
        self.backend = open_backend(url, pool=pool)
        self.url = self.backend.url

    @property
    def engine(self) -> Engine:
        return self.backend.engine

    @contextmanager
    def unit_of_work(self, *, pinned: bool = False) -> Iterator[UnitOfWork]:
        """A writing unit of work: nothing is kept unless it calls uow.commit(). `pinned`: for a thread
        that commits again and again (the intake's committer)."""
        with self.backend.transaction(write=True, pinned=pinned) as conn:
            yield UnitOfWork(conn, self.backend)

    @contextmanager
    def read_only(self) -> Iterator[UnitOfWork]:
        """A unit of work that only reads: it never waits for a writer, and a write in it fails."""
        with self.backend.transaction(write=False) as conn:
            yield UnitOfWork(conn, self.backend)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """Raw SQL in a writing transaction, committed at the end: for migrations, tests and tools that
        look at tables the way an operator would. Services use a unit of work."""
        with self.backend.transaction(write=True) as conn:
            yield conn
            conn.commit()

    def wakeup(self) -> Wakeup:
        """How an idle relay learns that outbox rows were committed (close it when done)."""
        return self.backend.wakeup()

    def migrate(self) -> None:
        from hub.store.migrate import upgrade

        upgrade(self.backend)

    def checkpoint_in_background(self) -> None:
        """For a server process: housekeeping (SQLite's WAL checkpoints) in a thread, off the commit path."""
        self.backend.checkpoint_in_background()

    def dispose(self) -> None:
        self.backend.dispose()

    def describe(self) -> str:
        """The URL without its password, for logs and the CLI."""
        return make_url(self.url).render_as_string(hide_password=True)
