"""The commerce domain's tables: order lifecycle, inventory beyond the ledger's levels, channel sync and
sagas. On the same metadata as hub/store/tables.py (which imports this module), so migrations and
tests/store/test_migrations.py see one schema."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, Index, PrimaryKeyConstraint, String, Table, Text

from hub.store.tables import metadata
from hub.store.types import BigId, UTCDateTime

# Each order's state as the lifecycle state machine left it (hub/domain/orders.py), written in the
# intake transaction that applied the update, together with the update's event.
orders = Table(
    "orders",
    metadata,
    Column("channel", String(64), nullable=False),
    Column("order_id", String(128), nullable=False),
    Column("account", String(128)),
    Column("state", String(32), nullable=False, doc="The order's phase: placed ... returned, cancelled."),
    Column("detail", JSON, nullable=False, doc="Lines, their phases and units, and what was applied."),
    Column("occurred_at", UTCDateTime, nullable=False, doc="The newest source timestamp applied."),
    Column("updated_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("channel", "order_id"),
    Index(None, "state", "channel"),
)

# Every update an order got: applied, duplicate, stale or refused, with where it came from.
order_history = Table(
    "order_history",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("channel", String(64), nullable=False),
    Column("order_id", String(128), nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("channel_status", String(64)),
    Column("occurred_at", UTCDateTime, nullable=False),
    Column("outcome", String(16), nullable=False, doc="applied | duplicate | stale | refused"),
    Column("reason", Text),
    Column("state", String(32), doc="The order's phase after the update."),
    Column("source", String(255), nullable=False, doc="connector/dedupe key, or checkout/saga id."),
    Column("inbox_id", BigInteger),
    Column("event_id", String(36), doc="The event published for an applied update."),
    Column("recorded_at", UTCDateTime, nullable=False),
    Index(None, "channel", "order_id", "id"),
)
