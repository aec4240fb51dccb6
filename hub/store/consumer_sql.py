"""The consumer groups' hot statements, in the SQL both databases share; each adapter fills in its
placeholders (hub/store/sqlite/consumed.py, hub/store/postgres/consumed.py).

A built-in group applies a batch of events per transaction: a dedupe claim per event, then an audit row
or an order's latest state. Through SQLAlchemy Core the per-row parameter processing of those statements
cost more than the database took to run them, so they run on the driver of the same transaction."""

from __future__ import annotations

from datetime import datetime

CLAIM_HEAD = "INSERT INTO consumer_inbox (group_name, event_id, applied_at)"
CLAIM_TAIL = "ON CONFLICT (group_name, event_id) DO NOTHING RETURNING event_id"

# The audit row's values, in this order (AuditValues).
AUDIT_WRITE = ("group_name", "event_id", "event_type", "partition_key", "sequence", "recorded_at")
AuditValues = tuple[str, str, str, str, int, datetime]

# An order's latest state as a batch folds it, in this order (OrderViewValues): the values of its newest
# event in the batch, and how many events of the order the batch held.
ORDER_VIEW_WRITE = (
    "channel",
    "order_id",
    "account",
    "last_event_type",
    "channel_status",
    "last_sequence",
    "events_applied",
    "updated_at",
)
OrderViewValues = tuple[str, str, str | None, str, str | None, int, int, datetime]

# Per-key order is promised; an older sequence arriving later would be a broken promise, so it is
# counted without overwriting newer state. Every right-hand side reads the row as it was before the SET.
_NEWER = "excluded.last_sequence > order_view.last_sequence"
_TAKEN = ("account", "last_event_type", "channel_status", "updated_at")


def audit_insert(placeholder: str) -> str:
    marks = ", ".join([placeholder] * len(AUDIT_WRITE))
    return f"INSERT INTO audit_log ({', '.join(AUDIT_WRITE)}) VALUES ({marks})"


def order_view_upsert(placeholder: str, greatest: str) -> str:
    """An upsert of one order's folded state; `greatest` is the database's two-argument maximum."""
    marks = ", ".join([placeholder] * len(ORDER_VIEW_WRITE))
    taken = ", ".join(f"{c} = CASE WHEN {_NEWER} THEN excluded.{c} ELSE order_view.{c} END" for c in _TAKEN)
    return (
        f"INSERT INTO order_view ({', '.join(ORDER_VIEW_WRITE)}) VALUES ({marks}) "
        "ON CONFLICT (channel, order_id) DO UPDATE SET "
        "events_applied = order_view.events_applied + excluded.events_applied, "
        f"{taken}, last_sequence = {greatest}(order_view.last_sequence, excluded.last_sequence)"
    )
