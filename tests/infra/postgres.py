"""A real PostgreSQL cluster for tests and benchmarks, run through ``deploy/postgres/*.sh``."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import psycopg
from psycopg import sql

from tests.infra._proc import DEPLOY_DIR, kill_group, run_script
from tests.infra.ports import free_port

PG_DEPLOY = DEPLOY_DIR / "postgres"

# A first run on a bare machine may apt-get install PostgreSQL; a normal start takes about a second.
_START_SCRIPT_TIMEOUT = 600.0
_STOP_SCRIPT_TIMEOUT = 90.0
_DB_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class PostgresServer:
    """A cluster in ``base_dir`` (``data/``, ``postgres.log``, the socket) on 127.0.0.1:``port``.

    The ``hub`` role is a superuser with trust auth, and database ``hub`` belongs to it.
    ``restart()`` keeps the data; fsync is on unless ``HUB_PG_FSYNC=off`` is in the environment.
    """

    def __init__(self, base_dir: Path, port: int | None = None) -> None:
        self._base_dir = Path(base_dir)
        self._port = port if port is not None else free_port()

    @property
    def port(self) -> int:
        return self._port

    @property
    def base_dir(self) -> Path:
        return self._base_dir

    @property
    def data_dir(self) -> Path:
        return self._base_dir / "data"

    @property
    def log_file(self) -> Path:
        return self._base_dir / "postgres.log"

    @property
    def url(self) -> str:
        """SQLAlchemy URL of database ``hub``."""
        return self.url_for("hub")

    @property
    def dsn(self) -> str:
        """libpq / psycopg connection string of database ``hub``."""
        return self.dsn_for("hub")

    def url_for(self, database: str) -> str:
        return f"postgresql+psycopg://hub@127.0.0.1:{self._port}/{database}"

    def dsn_for(self, database: str) -> str:
        return f"postgresql://hub@127.0.0.1:{self._port}/{database}"

    @property
    def pid(self) -> int | None:
        """The postmaster's pid (first line of postmaster.pid); None when not running."""
        try:
            return int((self.data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return None

    def start(self) -> None:
        """initdb if needed, start, create database ``hub``; RuntimeError with the log tail if it cannot."""
        run_script(
            [PG_DEPLOY / "start.sh", self._base_dir, str(self._port)],
            what=f"PostgreSQL on 127.0.0.1:{self._port} failed to start",
            timeout=_START_SCRIPT_TIMEOUT,
            log_file=self.log_file,
        )

    def stop(self, mode: str = "fast") -> None:
        """Stop with pg_ctl's ``fast``, ``immediate`` (no shutdown checkpoint) or ``smart`` mode."""
        run_script(
            [PG_DEPLOY / "stop.sh", self._base_dir, mode],
            what=f"PostgreSQL on 127.0.0.1:{self._port} failed to stop ({mode})",
            timeout=_STOP_SCRIPT_TIMEOUT,
            log_file=self.log_file,
        )

    def restart(self, mode: str = "fast") -> None:
        self.stop(mode)
        self.start()

    def kill(self) -> None:
        """SIGKILL the postmaster, as a crash would; the next ``start()`` runs crash recovery.

        Its backends notice the postmaster is gone and exit; we wait for them (and SIGKILL stragglers)
        because a new postmaster refuses to start while old backends still hold shared memory.
        """
        pid = self.pid
        if pid is None:
            return
        # pg_ctl starts the postmaster in a session of its own, so its pid is the group of all backends.
        kill_group(pid, timeout=10.0)
        # The dead postmaster lingers as an unreaped zombie for a few seconds here (PID 1 reaps late), and
        # PostgreSQL's lock-file check takes a zombie for a live server. Every process is gone, so the
        # lock files are stale; crash recovery is driven by pg_control, not by them.
        with suppress(FileNotFoundError):
            (self.data_dir / "postmaster.pid").unlink()
        with suppress(FileNotFoundError):
            (self._base_dir / f".s.PGSQL.{self._port}.lock").unlink()

    def __repr__(self) -> str:
        return f"PostgresServer(port={self._port}, base_dir={str(self._base_dir)!r})"


def fresh_database(server: PostgresServer, name: str) -> str:
    """Create an empty database ``name`` owned by ``hub`` and return its SQLAlchemy URL.

    Much cheaper than a cluster per test: isolation per test for the cost of one CREATE DATABASE.
    """
    if not _DB_NAME.match(name):
        raise ValueError(f"database name must match {_DB_NAME.pattern}: {name!r}")
    with psycopg.connect(server.dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} OWNER hub").format(sql.Identifier(name)))
    return server.url_for(name)


def _make_base_dir() -> Path:
    # Directly under /tmp: the server runs as `postgres` when we are root, and pytest's tmp_path sits
    # below a 0700 folder of root's that `postgres` cannot enter.
    base = Path(tempfile.mkdtemp(prefix="hub-pg-", dir="/tmp"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    return base


@contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    """A started cluster on a free port in a fresh folder; stopped and the folder removed afterwards."""
    base = _make_base_dir()
    server = PostgresServer(base)
    try:
        server.start()
        yield server
    finally:
        try:
            server.stop("fast")
        except RuntimeError:
            server.kill()
        shutil.rmtree(base, ignore_errors=True)
