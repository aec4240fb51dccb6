"""What every repository gets from its unit of work: the transaction's connection and the backend."""

from __future__ import annotations

from sqlalchemy import Connection

from hub.store.backend import Backend

BATCHING = "hub.batching"  # in Connection.info while a unit of work batches its writes


class Repository:
    """Base of the store's repositories. Write queries in SQLAlchemy Core against hub.store.tables; where
    the databases differ, call the backend (self.backend) rather than asking which one it is."""

    def __init__(self, conn: Connection, backend: Backend) -> None:
        self.conn = conn
        self.backend = backend

    @property
    def batching(self) -> bool:
        """Inside UnitOfWork.batched(): writes may be held back and made in one statement at flush()."""
        return bool(self.conn.info.get(BATCHING))

    def flush(self) -> None:
        """Write what this repository holds back, if anything: called when a batch ends, before the unit
        commits and before a savepoint. A repository that gathers rows while batching (a consumer group
        applies hundreds of events in one transaction) writes them here."""

    def discard(self) -> None:
        """Forget what is held back: the transaction or savepoint it belonged to is rolled back."""
