"""What SQLite itself costs on this machine's disk, measured beside bench/consumers.py's runners: the
bound of each runner's events per second.

- one transaction: BEGIN IMMEDIATE, one row, COMMIT, in WAL mode with synchronous=FULL (the store's
  settings). The one-by-one runner pays at least this per event.
- batched rows: per event a dedupe claim row and an audit row (the audit group's rows, with their
  indexes), a thousand events per transaction, on the driver with nothing else. The batch runner pays at
  least this per event, before it has read or checked an event.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from pathlib import Path

_STAMP = "2026-12-04 10:00:00.000000"


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE claims (g TEXT, e TEXT, at TEXT, PRIMARY KEY (g, e))")
    conn.execute("CREATE INDEX claims_at ON claims (at)")
    conn.execute(
        "CREATE TABLE audit (id INTEGER PRIMARY KEY, g TEXT, e TEXT, t TEXT, k TEXT, s INT, at TEXT)"
    )
    conn.execute("CREATE INDEX audit_ge ON audit (g, e)")
    return conn


def one_transaction_us(work: Path, n: int = 500) -> float:
    conn = _connect(work / "floor-one.db")
    began = time.perf_counter()
    for i in range(n):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO claims VALUES ('g', ?, ?)", (f"{i:032x}", _STAMP))
        conn.execute("COMMIT")
    conn.close()
    return (time.perf_counter() - began) / n * 1e6


def batched_rows_us(work: Path, n: int = 30_000, batch: int = 1000) -> float:
    conn = _connect(work / "floor-batch.db")
    ids = [(str(uuid.uuid4()),) for _ in range(n)]  # event ids fall all over the key's index
    began = time.perf_counter()
    for start in range(0, n, batch):
        chunk = ids[start : start + batch]
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(f"INSERT INTO claims VALUES ('audit', ?, '{_STAMP}')", chunk)
        conn.executemany(
            f"INSERT INTO audit (g, e, t, k, s, at) VALUES ('audit', ?, 'T', 'k', 1, '{_STAMP}')", chunk
        )
        conn.execute("COMMIT")
    conn.close()
    return (time.perf_counter() - began) / n * 1e6
