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
