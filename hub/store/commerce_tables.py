"""The commerce domain's tables: order lifecycle, inventory beyond the ledger's levels, channel sync and
sagas. On the store's one metadata; hub/store/tables.py imports this module, so migrations and
tests/store/test_migrations.py see one schema."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, PrimaryKeyConstraint, String, Table, Text

from hub.store.metadata import metadata
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

# The columns intake writes, in the order of the values the store's save_orders and record_history take
# (each backend binds the last, the batch's time, itself).
ORDERS_WRITE = ("channel", "order_id", "account", "state", "detail", "occurred_at", "updated_at")
# What an order's save does to a stored one (both adapters' upsert): an account of None keeps the stored one.
ORDERS_ON_CONFLICT = (
    " ON CONFLICT (channel, order_id) DO UPDATE SET account = COALESCE(excluded.account, orders.account),"
    " state = excluded.state, detail = excluded.detail, occurred_at = excluded.occurred_at,"
    " updated_at = excluded.updated_at"
)
HISTORY_WRITE = (
    "channel",
    "order_id",
    "event_type",
    "channel_status",
    "occurred_at",
    "outcome",
    "reason",
    "state",
    "source",
    "inbox_id",
    "event_id",
    "recorded_at",
)

# Units held for a checkout until its order takes them (consumed) or it fails (released).
inventory_reservations = Table(
    "inventory_reservations",
    metadata,
    Column("reservation_id", String(64), nullable=False, doc="The checkout saga's id."),
    Column("sku", String(255), nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("state", String(16), nullable=False, doc="active | released | consumed"),
    Column("channel", String(64)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("reservation_id", "sku"),
    Index(None, "sku", "state"),
)

# A SKU whose available-to-sell reached zero: no new reservation until every channel was told a quantity
# computed at this version or later (channel sync removes the row).
inventory_barriers = Table(
    "inventory_barriers",
    metadata,
    Column("sku", String(255), primary_key=True),
    Column("version", BigInteger, nullable=False),
    Column("set_at", UTCDateTime, nullable=False),
)

# The channel-sync group's own view of each SKU, built from the events in version order (held ones wait).
channel_sync_skus = Table(
    "channel_sync_skus",
    metadata,
    Column("sku", String(255), primary_key=True),
    Column("version", BigInteger, nullable=False),
    Column("on_hand", JSON, nullable=False, doc="Location -> units on hand."),
    Column("reserved", BigInteger, nullable=False),
    Column("held", JSON, nullable=False, doc="Version -> event waiting for the versions before it."),
    Column("held_since", UTCDateTime),
    Column("source_time", UTCDateTime, doc="When the newest applied stock event happened."),
    Column("updated_at", UTCDateTime, nullable=False),
)

# What each channel should be told of each SKU, and what it was last told, when, and how late.
channel_stock = Table(
    "channel_stock",
    metadata,
    Column("sku", String(255), nullable=False),
    Column("channel", String(64), nullable=False),
    Column("quantity", BigInteger, nullable=False, doc="Available-to-sell to tell the channel."),
    Column("version", BigInteger, nullable=False, doc="The SKU's version the quantity was computed at."),
    Column("source_time", UTCDateTime, nullable=False, doc="When the stock event behind it happened."),
    Column("computed_at", UTCDateTime, nullable=False),
    Column("pushed_quantity", BigInteger),
    Column("pushed_version", BigInteger),
    Column("pushed_at", UTCDateTime),
    Column("lag_ms", BigInteger, doc="From the stock event to the channel's update."),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text),
    Column("retry_at", UTCDateTime, doc="After a failed push: the pusher tries again from then on."),
    PrimaryKeyConstraint("sku", "channel"),
    Index(None, "channel", "sku"),
)

# Checkout sagas, whichever variant runs them: the state after every step (a restart resumes from it).
sagas = Table(
    "sagas",
    metadata,
    Column("saga_id", String(64), primary_key=True),
    Column("variant", String(16), nullable=False, doc="orchestrated | choreographed"),
    Column("status", String(16), nullable=False),
    Column("deadline", UTCDateTime, nullable=False, doc="Compensated, never completed, after this."),
    Column("state", JSON, nullable=False, doc="Payment, reservation and compensation flags, reason."),
    Column("request", JSON, nullable=False, doc="The checkout as asked: lines, amount, currency."),
    Column("order_id", String(128), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index(None, "status", "updated_at"),
)

# Each step a saga took, tried or undid, in order.
saga_steps = Table(
    "saga_steps",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("saga_id", String(64), nullable=False),
    Column("step", String(16), nullable=False),
    Column("outcome", String(16), nullable=False, doc="started | ok | failed | unknown"),
    Column("detail", Text),
    Column("at", UTCDateTime, nullable=False),
    Index(None, "saga_id", "id"),
)
