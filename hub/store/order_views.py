"""Each order's latest known state, as the order-view consumer group keeps it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from hub.events import Event
from hub.store.backend import Backend
from hub.store.pairs import pairs_in
from hub.store.repository import Repository
from hub.store.tables import order_view

Key = tuple[str, str]


class OrderViews(Repository):
    """While the unit of work batches, events are folded per order in memory and written when it flushes:
    one read of the orders a batch touches, then one insert and one update statement, however many events
    it held. Otherwise each event is written at once."""

    def __init__(self, conn: Connection, backend: Backend) -> None:
        super().__init__(conn, backend)
        self._pending: dict[Key, list[tuple[Event, datetime]]] = {}

    def apply(self, event: Event, at: datetime) -> None:
        key = (event.data["channel"], event.data["order_id"])
        self._pending.setdefault(key, []).append((event, at))
        if not self.batching:
            self.flush()

    def discard(self) -> None:
        self._pending = {}

    def flush(self) -> None:
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        keys = list(pending)
        current: dict[Key, int] = {}
        for where in pairs_in(order_view.c.channel, order_view.c.order_id, keys):
            query = select(order_view.c.channel, order_view.c.order_id, order_view.c.last_sequence).where(
                where
            )
            current.update(
                {(channel, order_id): last for channel, order_id, last in self.conn.execute(query)}
            )
        new: list[dict[str, Any]] = []
        moved: list[dict[str, Any]] = []
        counted: list[dict[str, Any]] = []
        for key, applied in pending.items():
            last: int | None = current.get(key)
            values: dict[str, Any] = {}
            for event, at in applied:
                # Per-key order is promised; an older sequence arriving later would be a broken promise,
                # so it is counted without overwriting newer state.
                if last is None or event.sequence > last:
                    last = event.sequence
                    values = {
                        "account": event.data.get("account"),
                        "last_event_type": event.type,
                        "channel_status": event.data.get("channel_status"),
                        "last_sequence": event.sequence,
                        "updated_at": at,
                    }
            if key not in current:
                new.append({"channel": key[0], "order_id": key[1], "events_applied": len(applied), **values})
            else:
                row = {"k_channel": key[0], "k_order_id": key[1], "n": len(applied)}
                # Bound under other names: SQLAlchemy keeps a column's own name for its SET clause.
                (moved if values else counted).append({**row, **{f"v_{k}": v for k, v in values.items()}})
        if new:
            self.conn.execute(insert(order_view), new)
        if moved:
            self.conn.execute(_update(moved[0]), moved)
        if counted:
            self.conn.execute(_update(counted[0]), counted)


def _update(row: dict[str, Any]) -> Any:
    """An UPDATE of one order by its key, adding `n` to the count and setting the other fields of `row`."""
    where = (order_view.c.channel == bindparam("k_channel")) & (
        order_view.c.order_id == bindparam("k_order_id")
    )
    values: dict[str, Any] = {"events_applied": order_view.c.events_applied + bindparam("n")}
    values.update({name[2:]: bindparam(name) for name in row if name.startswith("v_")})
    return update(order_view).where(where).values(values)
