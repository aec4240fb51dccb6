"""Per-key sequences: allocated inside the intake transaction so they follow commit order."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Connection

from hub.store import sqlite_fast
from hub.store.dialect import insert_for
from hub.store.tables import key_sequences

_SQLITE_BUMP = 'INSERT INTO key_sequences ("key", seq)'
_SQLITE_RETURNING = (
    'ON CONFLICT ("key") DO UPDATE SET seq = key_sequences.seq + excluded.seq RETURNING "key", seq'
)


@cache
def _bump(dialect: str) -> Any:
    """Built once per dialect: building it (`excluded` proxies every column) costs more than running it."""
    stmt = insert_for(dialect, key_sequences)
    return stmt.on_conflict_do_update(
        index_elements=["key"], set_={"seq": key_sequences.c.seq + stmt.excluded.seq}
    ).returning(key_sequences.c.key, key_sequences.c.seq)


def allocate(conn: Connection, keys: Sequence[str]) -> list[int]:
    """Return one sequence number per entry of `keys` (repeats get consecutive numbers).

    On PostgreSQL the upsert row-locks each key until commit, so a later transaction for the same key
    waits and gets a higher number: per key, sequence order is commit order. Keys are locked in sorted
    order so two receivers never deadlock on the same pair of keys.
    """
    if not keys:
        return []
    counts = Counter(keys)
    ordered = sorted(counts)
    raw = sqlite_fast.driver(conn)
    if raw is not None:
        params = [(k, counts[k]) for k in ordered]
        last = dict(sqlite_fast.insert_returning(raw, _SQLITE_BUMP, _SQLITE_RETURNING, params))
        return _numbers(keys, counts, last)
    # Parameters passed to execute (not baked into .values()): one cached compiled statement that
    # SQLAlchemy sends as multi-row upserts, instead of compiling a new statement for every batch size.
    last = dict(conn.execute(_bump(conn.dialect.name), [{"key": k, "seq": counts[k]} for k in ordered]).all())
    return _numbers(keys, counts, last)


def _numbers(keys: Sequence[str], counts: Counter[str], last: dict[str, int]) -> list[int]:
    next_seq = {k: last[k] - counts[k] + 1 for k in counts}
    result = []
    for key in keys:
        result.append(next_seq[key])
        next_seq[key] += 1
    return result
