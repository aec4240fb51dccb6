"""The store port: one SQLAlchemy Core schema and its repositories, served by a SQLite or a PostgreSQL
adapter, used through units of work."""

from hub.store.store import Store
from hub.store.uow import UnitOfWork

__all__ = ["Store", "UnitOfWork"]
