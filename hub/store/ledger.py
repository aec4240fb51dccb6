"""Current on-hand levels of the per-SKU inventory ledger."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, select, tuple_

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
        query = query.with_for_update()
    return {(sku, loc): on_hand for sku, loc, on_hand in conn.execute(query).all()}


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
