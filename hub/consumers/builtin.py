"""Consumer groups that ship with the hub."""

from __future__ import annotations

from sqlalchemy import Connection, insert, select, update

from hub.clock import utcnow
from hub.consumers.registry import consumer_group
from hub.events import TOPICS, Event
from hub.store.tables import audit_log, order_view


@consumer_group("audit", topics=TOPICS, description="Keep a row per event: what the hub published, in order.")
def audit(event: Event, conn: Connection) -> None:
    conn.execute(
        insert(audit_log).values(
            group_name="audit",
            event_id=event.id,
            event_type=event.type,
            partition_key=event.partitionkey,
            sequence=event.sequence,
            recorded_at=utcnow(),
        )
    )


@consumer_group("order-view", topics=("orders",), description="Each order's latest known state.")
def order_state(event: Event, conn: Connection) -> None:
    channel, order_id = event.data["channel"], event.data["order_id"]
    key = (order_view.c.channel == channel) & (order_view.c.order_id == order_id)
    current = conn.execute(select(order_view.c.last_sequence).where(key)).scalar_one_or_none()
    values = {
        "account": event.data.get("account"),
        "last_event_type": event.type,
        "channel_status": event.data.get("channel_status"),
        "last_sequence": event.sequence,
        "updated_at": utcnow(),
    }
    if current is None:
        conn.execute(
            insert(order_view).values(channel=channel, order_id=order_id, events_applied=1, **values)
        )
    elif event.sequence > current:
        conn.execute(
            update(order_view).where(key).values(events_applied=order_view.c.events_applied + 1, **values)
        )
    else:
        # Per-key order is promised; an older sequence arriving later would be a broken promise, so count it
        # without letting it overwrite newer state.
        conn.execute(update(order_view).where(key).values(events_applied=order_view.c.events_applied + 1))
