"""Orders as the lifecycle state machine keeps them, and the history of every update each one got."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, tuple_, update

from hub.domain.orders import OrderState
from hub.store.commerce_tables import order_history, orders
from hub.store.repository import Repository

OrderKey = tuple[str, str]  # (channel, order id)

# The lock space of order keys ('ordr'): apart from the ledger's and other locks.
_LOCK_SPACE = 0x6F726472


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    channel: str
    order_id: str
    event_type: str
    channel_status: str | None
    occurred_at: datetime
    outcome: str
    reason: str | None
    state: str | None
    source: str
    inbox_id: int | None = None
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class OrderRow:
    channel: str
    order_id: str
    account: str | None
    state: str
    detail: dict[str, Any]
    occurred_at: datetime
    updated_at: datetime


class Orders(Repository):
    def load(self, keys: Iterable[OrderKey]) -> dict[OrderKey, OrderState]:
        """The states of these orders, locked until commit: two deliveries of one order must not both
        decide from the same old state. The key locks also cover an order's first update."""
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        self.backend.lock_keys(
            self.conn, _LOCK_SPACE, {zlib.crc32(f"{c}\x00{o}".encode()) - 2**31 for c, o in wanted}
        )
        c = orders.c
        found: dict[OrderKey, OrderState] = {}
        for chunk in _chunks(wanted, 500):
            query = select(c.channel, c.order_id, c.detail).where(tuple_(c.channel, c.order_id).in_(chunk))
            for channel, order_id, detail in self.conn.execute(self.backend.lock(query)).all():
                found[(channel, order_id)] = OrderState.from_json(detail)
        return found

    def save(
        self,
        states: dict[OrderKey, OrderState],
        accounts: dict[OrderKey, str | None],
        known: set[OrderKey],
        at: datetime,
    ) -> None:
        """Write changed states; `known` are the keys that already had a row."""
        new = [k for k in states if k not in known]
        if new:
            self.conn.execute(insert(orders), [self._values(k, states[k], accounts.get(k), at) for k in new])
        for key in (k for k in states if k in known):
            values = self._values(key, states[key], accounts.get(key), at)
            where = (orders.c.channel == key[0]) & (orders.c.order_id == key[1])
            if values["account"] is None:
                del values["account"]
            self.conn.execute(update(orders).where(where).values(**values))

    @staticmethod
    def _values(key: OrderKey, state: OrderState, account: str | None, at: datetime) -> dict[str, Any]:
        return {
            "channel": key[0],
            "order_id": key[1],
            "account": account,
            "state": state.phase.value,
            "detail": state.to_json(),
            "occurred_at": state.at,
            "updated_at": at,
        }

    def record(self, entries: Sequence[HistoryEntry], at: datetime) -> None:
        if entries:
            self.conn.execute(insert(order_history), [{**asdict(e), "recorded_at": at} for e in entries])

    # -- reads, for the CLI and services

    def get(self, channel: str, order_id: str) -> OrderRow | None:
        row = self.conn.execute(
            select(orders).where((orders.c.channel == channel) & (orders.c.order_id == order_id))
        ).first()
        return OrderRow(**row._mapping) if row else None

    def find(
        self, *, channel: str | None = None, state: str | None = None, limit: int = 100
    ) -> list[OrderRow]:
        query = select(orders).order_by(orders.c.updated_at.desc(), orders.c.order_id).limit(limit)
        if channel:
            query = query.where(orders.c.channel == channel)
        if state:
            query = query.where(orders.c.state == state)
        return [OrderRow(**r._mapping) for r in self.conn.execute(query)]

    def history(self, channel: str, order_id: str) -> list[dict[str, Any]]:
        h = order_history.c
        query = select(order_history).where((h.channel == channel) & (h.order_id == order_id)).order_by(h.id)
        return [dict(r._mapping) for r in self.conn.execute(query)]


def _chunks(items: list[OrderKey], size: int) -> Iterable[list[OrderKey]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
