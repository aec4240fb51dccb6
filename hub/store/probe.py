"""Can the store commit, and how far behind is the relay? Asked by `/readyz`, on a connection of its own.

A fresh connection each time, not one from the pool: a pooled SQLite connection keeps writing to a
database file that was deleted or moved away (to its inode, lost at the next start), and a pooled
PostgreSQL connection only finds out that the server is gone when it is next used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, create_engine, make_url, select, text
from sqlalchemy.pool import NullPool

from hub.clock import utcnow
from hub.store.engine import Store
from hub.store.tables import outbox

# A write that every backend takes and that the rollback undoes: the row lock it needs proves that this
# process could commit an intake transaction now.
_WRITE = text(
    'INSERT INTO key_sequences ("key", seq) VALUES (:key, 0) '
    'ON CONFLICT ("key") DO UPDATE SET seq = key_sequences.seq'
)
_PROBE_KEY = "\x1fhub-readiness-probe"  # no partition key starts with a control character


@dataclass(frozen=True, slots=True)
class StoreHealth:
    outbox_lag_s: float | None  # age of the oldest event the relay has not published; None: none waits


def _probe_engine(store: Store, timeout_s: float) -> Engine:
    url = make_url(store.url)
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            return store.engine  # nothing but this process's own connection can reach it
        # mode=rw: a missing file is an error, not a new empty database
        url = url.set(database=f"file:{url.database}", query={"mode": "rw", "uri": "true"})
        return create_engine(url, poolclass=NullPool, connect_args={"timeout": timeout_s})
    return create_engine(
        url,
        poolclass=NullPool,
        hide_parameters=True,
        connect_args={"connect_timeout": max(1, round(timeout_s))},
    )


class StoreProbe:
    def __init__(self, store: Store, timeout_s: float = 5.0) -> None:
        self.engine = _probe_engine(store, timeout_s)

    def check(self) -> StoreHealth:
        """Raises when the store cannot commit; else the relay's lag."""
        with self.engine.connect() as conn:
            with conn.begin() as transaction:
                conn.execute(_WRITE, {"key": _PROBE_KEY})
                transaction.rollback()
            oldest: datetime | None = conn.execute(
                select(outbox.c.created_at)
                .where(outbox.c.published_at.is_(None))
                .order_by(outbox.c.id)
                .limit(1)
            ).scalar_one_or_none()
        return StoreHealth(None if oldest is None else max(0.0, (utcnow() - oldest).total_seconds()))
