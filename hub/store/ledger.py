"""Current on-hand levels of the per-SKU inventory ledger."""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ARRAY, Connection, Integer, cast, func, select, tuple_

from hub.store.dialect import insert
from hub.store.tables import inventory_levels


def levels(conn: Connection, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    query = select(inventory_levels.c.sku, inventory_levels.c.location, inventory_levels.c.on_hand).where(
        tuple_(inventory_levels.c.sku, inventory_levels.c.location).in_(wanted)
    )
    if conn.dialect.name == "postgresql":
        # Two receivers settling the same SKU must not both compute a delta from the same old level.
        # FOR UPDATE only locks rows that exist; the advisory locks also cover a SKU's first adjustment.
        _lock_keys(conn, wanted)
        query = query.with_for_update()
    return {(sku, loc): on_hand for sku, loc, on_hand in conn.execute(query).all()}


# The first key of PostgreSQL's two-key advisory locks ('ledg'): keeps these apart from other locks.
_LOCK_SPACE = 0x6C656467


def _lock_id(sku: str, location: str) -> int:
    return zlib.crc32(f"{sku}\x00{location}".encode()) - 2**31  # into int4's range


def _lock_keys(conn: Connection, keys: list[tuple[str, str]]) -> None:
    """Transaction-scoped advisory locks, taken in ascending lock-id order so two writers never deadlock.
    A hash collision only makes two SKUs wait for each other."""
    ids = sorted({_lock_id(sku, location) for sku, location in keys})
    lock_ids = func.unnest(cast(ids, ARRAY(Integer))).table_valued("k").render_derived()
    conn.execute(select(func.pg_advisory_xact_lock(_LOCK_SPACE, lock_ids.c.k)).select_from(lock_ids))


def save(conn: Connection, new_levels: dict[tuple[str, str], int], at: datetime) -> None:
    if not new_levels:
        return
    stmt = insert(conn, inventory_levels).values(
        [
            {"sku": s, "location": loc, "on_hand": q, "updated_at": at}
            for (s, loc), q in sorted(new_levels.items())
        ]
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["sku", "location"],
        set_={"on_hand": stmt.excluded.on_hand, "updated_at": stmt.excluded.updated_at},
    )
    conn.execute(stmt)
