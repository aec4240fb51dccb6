"""Orders as the lifecycle state machine keeps them, and the history of every update each one got."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from hub.domain.orders import OrderState
from hub.store.commerce_tables import order_history, orders
from hub.store.repository import Repository

OrderKey = tuple[str, str]  # (channel, order id)

# The lock space of order keys ('ordr'): apart from the ledger's and other locks.
_LOCK_SPACE = 0x6F726472


# Not frozen: that makes __init__ several times dearer, and intake builds one per order update. Nothing
# changes one once built.
@dataclass(slots=True)
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


def _history_row(e: HistoryEntry, event_id: str | None) -> tuple[Any, ...]:
    """The entry's values in the order of HISTORY_WRITE, without recorded_at."""
    return (
        e.channel,
        e.order_id,
        e.event_type,
        e.channel_status,
        e.occurred_at,
        e.outcome,
        e.reason,
        e.state,
        e.source,
        e.inbox_id,
        event_id or e.event_id,
    )


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
        rows = self.backend.load_orders(self.conn, wanted)
        return {(channel, order_id): OrderState.from_json(detail) for channel, order_id, detail in rows}

    def save(
        self, states: dict[OrderKey, OrderState], accounts: dict[OrderKey, str | None], at: datetime
    ) -> None:
        """Write the orders' states (new ones and changed ones: one statement for all)."""
        if states:
            rows = [
                (key[0], key[1], accounts.get(key), state.phase.value, state.to_json(), state.at)
                for key, state in sorted(states.items())
            ]
            self.backend.save_orders(self.conn, rows, at)

    def record(self, entries: Sequence[tuple[HistoryEntry, str | None]], at: datetime) -> None:
        """Append the entries, each with the id of the event it published (None: none, or the entry's own)."""
        if entries:
            self.backend.record_history(self.conn, [_history_row(e, eid) for e, eid in entries], at)

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
