"""Can the store commit, and how far behind is the relay? Asked by `/readyz`, on a connection of its own:
a new one each time, from the adapter's probe engine (see Backend.probe_engine)."""

from __future__ import annotations

from dataclasses import dataclass

from hub.clock import utcnow
from hub.store.backend import begun
from hub.store.store import Store
from hub.store.tables import key_sequences
from hub.store.uow import UnitOfWork

_PROBE_KEY = "\x1fhub-readiness-probe"  # no partition key starts with a control character


@dataclass(frozen=True, slots=True)
class StoreHealth:
    outbox_lag_s: float | None  # age of the oldest event the relay has not published; None: none waits


class StoreProbe:
    def __init__(self, store: Store, timeout_s: float = 5.0) -> None:
        self.backend = store.backend
        self.engine = store.backend.probe_engine(timeout_s)
        # A write that every backend takes and that the rollback undoes: the row lock (or write lock) it
        # needs proves that this process could commit an intake transaction now.
        insert = self.backend.insert(key_sequences).values(key=_PROBE_KEY, seq=0)
        self._write = insert.on_conflict_do_update(index_elements=["key"], set_={"seq": key_sequences.c.seq})

    def check(self) -> StoreHealth:
        """Raises when the store cannot commit; else the relay's lag."""
        with self.engine.connect() as conn:
            with begun(conn):  # rolled back at the end of the block
                conn.execute(self._write)
            with begun(conn):
                oldest = UnitOfWork(conn, self.backend).outbox.oldest_pending()
        return StoreHealth(None if oldest is None else max(0.0, (utcnow() - oldest).total_seconds()))
