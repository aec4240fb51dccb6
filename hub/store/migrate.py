"""Run Alembic migrations from code, so `hub` keeps its own schema at head on any backend."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from hub.store.backend import Backend

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(backend: Backend) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["backend"] = backend
    return config


def upgrade(backend: Backend, revision: str = "head") -> None:
    command.upgrade(alembic_config(backend), revision)


def downgrade(backend: Backend, revision: str) -> None:
    command.downgrade(alembic_config(backend), revision)


def current(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
