"""The store port: one SQLAlchemy Core schema served by SQLite or PostgreSQL."""

from hub.store.engine import Store

__all__ = ["Store"]
