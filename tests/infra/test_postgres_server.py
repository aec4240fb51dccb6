"""Proves tests.infra.postgres runs a real cluster: data survives restart and crash, databases isolate.

No skips: if PostgreSQL cannot start, these tests fail with the server log in the message.
"""

from __future__ import annotations

import os
import shutil
import socket
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from tests.infra.postgres import PostgresServer, fresh_database, running_postgres


@pytest.fixture(scope="module")
def pg() -> Iterator[PostgresServer]:
    with running_postgres() as server:
        yield server


def _rows(server: PostgresServer, table: str) -> list[tuple[int, str]]:
    with psycopg.connect(server.dsn) as conn:
        return conn.execute(f"SELECT id, note FROM {table} ORDER BY id").fetchall()


def test_urls_and_folder(pg: PostgresServer) -> None:
    assert pg.url == f"postgresql+psycopg://hub@127.0.0.1:{pg.port}/hub"
    assert pg.dsn == f"postgresql://hub@127.0.0.1:{pg.port}/hub"
    assert pg.base_dir.parent == Path("/tmp") and pg.base_dir.name.startswith("hub-pg-")
    with psycopg.connect(pg.dsn) as conn:
        user, db, fsync, encoding = conn.execute(
            "SELECT current_user, current_database(), current_setting('fsync'), "
            "pg_encoding_to_char(encoding) FROM pg_database WHERE datname = current_database()"
        ).fetchone()
    assert (user, db, encoding) == ("hub", "hub", "UTF8")
    if os.environ.get("HUB_PG_FSYNC") != "off":
        assert fsync == "on", "fault tests need fsync on by default"


def test_rows_survive_restart_and_crash(pg: PostgresServer) -> None:
    with psycopg.connect(pg.dsn) as conn:
        conn.execute("CREATE TABLE survive (id int PRIMARY KEY, note text NOT NULL)")
        conn.execute("INSERT INTO survive VALUES (1, 'before restart')")

    pg.restart()
    assert _rows(pg, "survive") == [(1, "before restart")]

    with psycopg.connect(pg.dsn) as conn:
        conn.execute("INSERT INTO survive VALUES (2, 'before immediate stop')")
    pg.restart(mode="immediate")  # no shutdown checkpoint: the next start replays the WAL
    assert _rows(pg, "survive") == [(1, "before restart"), (2, "before immediate stop")]

    with psycopg.connect(pg.dsn) as conn:
        conn.execute("INSERT INTO survive VALUES (3, 'before kill')")
        # An open session at crash time, as in a real fault test.
        held = psycopg.connect(pg.dsn)
    old_pid = pg.pid
    pg.kill()
    assert pg.pid is None
    pg.start()
    assert pg.pid not in (None, old_pid)
    assert _rows(pg, "survive") == [(1, "before restart"), (2, "before immediate stop"), (3, "before kill")]
    with pytest.raises(psycopg.OperationalError):
        held.execute("SELECT 1")
    held.close()


def test_fresh_database_is_isolated(pg: PostgresServer) -> None:
    url_a = fresh_database(pg, "iso_a")
    url_b = fresh_database(pg, "iso_b")
    assert url_a == f"postgresql+psycopg://hub@127.0.0.1:{pg.port}/iso_a"

    engine_a = sa.create_engine(url_a)
    engine_b = sa.create_engine(url_b)
    try:
        with engine_a.begin() as conn:
            conn.execute(sa.text("CREATE TABLE only_in_a (x int)"))
            conn.execute(sa.text("INSERT INTO only_in_a VALUES (42)"))
        with engine_a.connect() as conn:
            assert conn.execute(sa.text("SELECT x FROM only_in_a")).scalar_one() == 42
            assert conn.execute(sa.text("SELECT current_user")).scalar_one() == "hub"
        for engine in (engine_b, sa.create_engine(pg.url)):
            with engine.connect() as conn:
                assert conn.execute(sa.text("SELECT to_regclass('only_in_a')")).scalar_one() is None
            engine.dispose()
    finally:
        engine_a.dispose()
        engine_b.dispose()

    with pytest.raises(psycopg.errors.DuplicateDatabase):
        fresh_database(pg, "iso_a")
    with pytest.raises(ValueError):
        fresh_database(pg, "bad name; DROP DATABASE hub")


def test_running_postgres_cleans_up() -> None:
    with running_postgres() as server:
        base = server.base_dir
        assert stat.S_IMODE(base.stat().st_mode) & 0o700
        with psycopg.connect(server.dsn) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
    assert not base.exists()


def test_start_failure_raises_with_server_log() -> None:
    # Another socket holds the port, so the postmaster cannot bind: start() must raise, not skip.
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        base = Path(tempfile.mkdtemp(prefix="hub-pg-", dir="/tmp"))
        if os.geteuid() == 0:
            shutil.chown(base, "postgres", "postgres")
        server = PostgresServer(base, port=blocker.getsockname()[1])
        try:
            with pytest.raises(RuntimeError, match="failed to start") as info:
                server.start()
            assert "could not" in str(info.value), str(info.value)
        finally:
            server.kill()
            shutil.rmtree(base, ignore_errors=True)
