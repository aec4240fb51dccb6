"""Each order's latest known state, as the order-view consumer group keeps it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update

from hub.events import Event
from hub.store.repository import Repository
from hub.store.tables import order_view


class OrderViews(Repository):
    def apply(self, event: Event, at: datetime) -> None:
        channel, order_id = event.data["channel"], event.data["order_id"]
        key = (order_view.c.channel == channel) & (order_view.c.order_id == order_id)
        current = self.conn.execute(select(order_view.c.last_sequence).where(key)).scalar_one_or_none()
        values = {
            "account": event.data.get("account"),
            "last_event_type": event.type,
            "channel_status": event.data.get("channel_status"),
            "last_sequence": event.sequence,
            "updated_at": at,
        }
        if current is None:
            self.conn.execute(
                insert(order_view).values(channel=channel, order_id=order_id, events_applied=1, **values)
            )
        elif event.sequence > current:
            self.conn.execute(
                update(order_view).where(key).values(events_applied=order_view.c.events_applied + 1, **values)
            )
        else:
            # Per-key order is promised; an older sequence arriving later would be a broken promise, so
            # count it without letting it overwrite newer state.
            self.conn.execute(
                update(order_view).where(key).values(events_applied=order_view.c.events_applied + 1)
            )
