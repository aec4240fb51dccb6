"""The per-SKU inventory ledger's current level per location, with the version that set it."""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from hub.store.pairs import pairs_in
from hub.store.repository import Repository
from hub.store.tables import inventory_levels

# The lock space of the ledger's keys ('ledg'): keeps these apart from other locks.
_LOCK_SPACE = 0x6C656467


def _lock_id(sku: str, location: str) -> int:
    """A hash in int4's range; a collision only makes two SKUs wait for each other."""
    return zlib.crc32(f"{sku}\x00{location}".encode()) - 2**31


@dataclass(frozen=True, slots=True)
class Level:
    location: str
    on_hand: int
    version: int
    updated_at: datetime


class Ledger(Repository):
    def levels(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """The levels of (sku, location), locked until commit: two writers settling the same SKU must not
        both compute a delta from the same old level. The key locks also cover a SKU's first adjustment,
        which has no row to lock yet."""
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        self.backend.lock_keys(self.conn, _LOCK_SPACE, {_lock_id(sku, loc) for sku, loc in wanted})
        levels = inventory_levels.c
        found: dict[tuple[str, str], int] = {}
        for where in pairs_in(levels.sku, levels.location, wanted):
            query = select(levels.sku, levels.location, levels.on_hand).where(where)
            for sku, loc, on_hand in self.conn.execute(self.backend.lock(query)).all():
                found[(sku, loc)] = on_hand
        return found

    def save(self, new_levels: dict[tuple[str, str], tuple[int, int]], at: datetime) -> None:
        """Write (on hand, version) per (sku, location)."""
        if not new_levels:
            return
        stmt = self.backend.insert(inventory_levels).values(
            [
                {"sku": s, "location": loc, "on_hand": q, "version": v, "updated_at": at}
                for (s, loc), (q, v) in sorted(new_levels.items())
            ]
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["sku", "location"],
            set_={
                "on_hand": stmt.excluded.on_hand,
                "version": stmt.excluded.version,
                "updated_at": stmt.excluded.updated_at,
            },
        )
        self.conn.execute(stmt)

    def of_sku(self, sku: str) -> list[Level]:
        c = inventory_levels.c
        query = (
            select(c.location, c.on_hand, c.version, c.updated_at).where(c.sku == sku).order_by(c.location)
        )
        return [Level(*row) for row in self.conn.execute(query)]

    def skus(self, like: str | None = None, limit: int = 1000) -> list[str]:
        c = inventory_levels.c
        query = select(c.sku).distinct().order_by(c.sku).limit(limit)
        if like:
            query = query.where(c.sku.like(like))
        return [sku for (sku,) in self.conn.execute(query)]
