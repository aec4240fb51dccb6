"""Each order's latest known state, as the order-view consumer group keeps it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from hub.events import Event
from hub.store.backend import Backend
from hub.store.consumer_sql import OrderViewValues
from hub.store.repository import Repository

Key = tuple[str, str]


class OrderViews(Repository):
    """While the unit of work batches, events are folded per order in memory and written when it flushes,
    one upsert per order the batch touched. Otherwise each event is written at once."""

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
        rows: list[OrderViewValues] = []
        # In key order: concurrent writers on PostgreSQL lock the rows they share in the same order.
        for (channel, order_id), applied in sorted(pending.items(), key=lambda item: item[0]):
            newest, at = applied[0]
            for event, when in applied[1:]:
                if event.sequence > newest.sequence:  # the first of equal sequences stays
                    newest, at = event, when
            data = newest.data
            rows.append(
                (
                    channel,
                    order_id,
                    data.get("account"),
                    newest.type,
                    data.get("channel_status"),
                    newest.sequence,
                    len(applied),
                    at,
                )
            )
        # Older sequences than the stored one only count (the upsert's rule, consumer_sql.py).
        self.backend.upsert_order_views(self.conn, rows)
