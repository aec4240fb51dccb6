"""Opening the store: one engine per process, tuned per backend, migrated to head."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.pool import NullPool

from hub.jsonio import json_text


def normalize_url(url: str) -> str:
    """Accept the plain URLs people paste (postgresql://) and pick the driver we ship (psycopg 3)."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _sqlite_engine(url: str) -> Engine:
    path = make_url(url).database
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, connect_args={"timeout": 30, "check_same_thread": False}, json_serializer=json_text
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
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class Store:
    """The database behind the hub, whichever backend the URL names."""

    def __init__(self, url: str, *, pool: bool = True) -> None:
        self.url = normalize_url(url)
        backend = make_url(self.url).get_backend_name()
        if backend == "sqlite":
            self.engine = _sqlite_engine(self.url)
        elif backend == "postgresql":
            kwargs: dict[str, Any] = {"pool_pre_ping": True, "json_serializer": json_text}
            if not pool:
                kwargs = {"poolclass": NullPool, "json_serializer": json_text}
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

    def migrate(self) -> None:
        from hub.store.migrate import upgrade

        upgrade(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()

    def describe(self) -> str:
        """The URL without its password, for logs and the CLI."""
        return make_url(self.url).render_as_string(hide_password=True)
