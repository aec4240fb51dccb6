"""Alembic environment: the engine comes from hub.store.migrate, never from an ini file."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from hub.store.tables import metadata

# An arbitrary constant: every hub process that migrates PostgreSQL takes this lock first.
_PG_MIGRATION_LOCK = 0x6875625F6D6967

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        transactional_ddl=True,
    )
    # One transaction around version check and DDL: concurrent starters wait, then find head.
    with connection.begin():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
        context.run_migrations()
