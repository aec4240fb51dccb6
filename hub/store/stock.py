"""Reservations of stock for checkouts, and the zero barriers that hold new reservations back."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update

from hub.store.commerce_tables import inventory_barriers, inventory_reservations
from hub.store.repository import Repository
from hub.store.tables import inventory_levels


@dataclass(frozen=True, slots=True)
class ReservationRow:
    reservation_id: str
    sku: str
    quantity: int
    state: str
    channel: str | None
    created_at: datetime
    updated_at: datetime


class Stock(Repository):
    def on_hand(self, skus: Iterable[str], locations: Iterable[str]) -> dict[str, int]:
        """Units on hand per SKU summed over `locations` (SKUs without a level: 0)."""
        wanted, where = sorted(set(skus)), sorted(set(locations))
        found = dict.fromkeys(wanted, 0)
        if not wanted or not where:
            return found
        c = inventory_levels.c
        query = (
            select(c.sku, func.sum(c.on_hand))
            .where(c.sku.in_(wanted) & c.location.in_(where))
            .group_by(c.sku)
        )
        found.update({sku: int(total) for sku, total in self.conn.execute(query)})
        return found

    def reserved(self, skus: Iterable[str]) -> dict[str, int]:
        """Units held by active reservations, per SKU."""
        wanted = sorted(set(skus))
        found = dict.fromkeys(wanted, 0)
        if not wanted:
            return found
        r = inventory_reservations.c
        query = (
            select(r.sku, func.sum(r.quantity))
            .where(r.sku.in_(wanted) & (r.state == "active"))
            .group_by(r.sku)
        )
        found.update({sku: int(total) for sku, total in self.conn.execute(query)})
        return found

    def reservation(self, reservation_id: str) -> list[ReservationRow]:
        r = inventory_reservations.c
        rows = self.conn.execute(
            select(inventory_reservations).where(r.reservation_id == reservation_id).order_by(r.sku)
        )
        return [ReservationRow(**row._mapping) for row in rows]

    def add_reservation(
        self, reservation_id: str, lines: dict[str, int], channel: str | None, at: datetime
    ) -> None:
        self.conn.execute(
            inventory_reservations.insert(),
            [
                {
                    "reservation_id": reservation_id,
                    "sku": sku,
                    "quantity": quantity,
                    "state": "active",
                    "channel": channel,
                    "created_at": at,
                    "updated_at": at,
                }
                for sku, quantity in sorted(lines.items())
            ],
        )

    def end_reservation(self, reservation_id: str, state: str, at: datetime) -> list[ReservationRow]:
        """Mark the reservation's active lines `state` (released or consumed); the lines that changed."""
        active = [row for row in self.reservation(reservation_id) if row.state == "active"]
        if active:
            r = inventory_reservations.c
            self.conn.execute(
                update(inventory_reservations)
                .where((r.reservation_id == reservation_id) & (r.state == "active"))
                .values(state=state, updated_at=at)
            )
        return active

    def active_reservations(self, sku: str | None = None) -> list[ReservationRow]:
        r = inventory_reservations.c
        query = select(inventory_reservations).where(r.state == "active").order_by(r.created_at)
        if sku is not None:
            query = query.where(r.sku == sku)
        return [ReservationRow(**row._mapping) for row in self.conn.execute(query)]

    # -- zero barriers

    def barriers(self, skus: Iterable[str]) -> dict[str, int]:
        wanted = sorted(set(skus))
        if not wanted:
            return {}
        b = inventory_barriers.c
        rows = self.conn.execute(select(b.sku, b.version).where(b.sku.in_(wanted)))
        return {sku: version for sku, version in rows}

    def raise_barrier(self, sku: str, version: int, at: datetime) -> None:
        stmt = self.backend.insert(inventory_barriers).values(sku=sku, version=version, set_at=at)
        self.conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["sku"],
                set_={"version": stmt.excluded.version},
                where=inventory_barriers.c.version < stmt.excluded.version,
            )
        )

    def lower_barrier(self, sku: str, pushed_version: int) -> bool:
        """Remove the barrier when every channel was told a quantity at its version or later."""
        b = inventory_barriers.c
        done = self.conn.execute(
            delete(inventory_barriers).where((b.sku == sku) & (b.version <= pushed_version))
        )
        return bool(done.rowcount)
