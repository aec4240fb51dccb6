"""The SQLite store's WAL stays bounded while commits never pause (hub/store/sqlite/checkpoint.py)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from hub.store import Store
from hub.store.sqlite import checkpoint

LIMIT = 1 * 2**20
WRITTEN = 24 * 2**20  # what the commits write in all: far past the limit
ROW = b"x" * 32768


def _store(path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setattr(checkpoint, "INTERVAL_S", 0.02)
    monkeypatch.setattr(checkpoint, "WAL_LIMIT_BYTES", LIMIT)
    store = Store(f"sqlite:///{path}")
    with store.transaction() as conn:
        conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB NOT NULL)"))
    store.checkpoint_in_background()
    return store


def _write(store: Store, path: Path, n: int) -> int:
    """Commits back to back through the store's writer (no pause lets a PASSIVE checkpoint catch up);
    the WAL file's largest size seen after a commit."""
    largest = 0
    for _ in range(n):
        with store.transaction() as conn:
            conn.execute(text("INSERT INTO t (body) VALUES (:b)"), {"b": ROW})
        largest = max(largest, os.path.getsize(f"{path}-wal"))
    return largest


def _count(store: Store) -> int:
    with store.transaction() as conn:
        return int(conn.execute(text("SELECT count(*) FROM t")).scalar_one())


def test_the_wal_stays_bounded_under_commits_that_never_pause(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "hub.db"
    store = _store(path, monkeypatch)
    try:
        largest = _write(store, path, WRITTEN // len(ROW))
        assert _count(store) == WRITTEN // len(ROW)
    finally:
        store.dispose()
    # The limit, plus what commits add during one round of the checkpointer.
    assert largest < 8 * LIMIT, f"the WAL grew to {largest} bytes"


def test_a_reader_in_the_wal_holds_the_restart_back_not_the_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "hub.db"
    store = _store(path, monkeypatch)
    reader = sqlite3.connect(path, isolation_level=None)
    try:
        _write(store, path, 16)  # a few frames for the reader's snapshot to hold on to
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM t").fetchone()[0] == 16
        held = _write(store, path, (WRITTEN // 2) // len(ROW))
        assert held > WRITTEN // 4, "the WAL restarted under a reader's snapshot"
        assert reader.execute("SELECT count(*) FROM t").fetchone()[0] == 16  # its snapshot stayed whole
        reader.execute("COMMIT")
        # Once the reader left, the file stops growing: the next commits write over its start.
        after = _write(store, path, WRITTEN // len(ROW))
        assert after < held + 8 * LIMIT, f"the WAL grew from {held} to {after} bytes after the reader left"
        assert _count(store) == 16 + (WRITTEN // 2 + WRITTEN) // len(ROW)
    finally:
        reader.close()
        store.dispose()
