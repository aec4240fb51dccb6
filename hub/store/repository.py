"""What every repository gets from its unit of work: the transaction's connection and the backend."""

from __future__ import annotations

from sqlalchemy import Connection

from hub.store.backend import Backend


class Repository:
    """Base of the store's repositories. Write queries in SQLAlchemy Core against hub.store.tables; where
    the databases differ, call the backend (self.backend) rather than asking which one it is."""

    def __init__(self, conn: Connection, backend: Backend) -> None:
        self.conn = conn
        self.backend = backend

    def flush(self) -> None:
        """Write what this repository holds back, if anything: called before the unit commits and before
        a savepoint ends. A repository that gathers rows to insert them in one statement (a consumer
        group applies hundreds of events per transaction) writes them here."""

    def discard(self) -> None:
        """Forget what is held back: the transaction or savepoint it belonged to is rolled back."""
