"""inventory reservations and channel sync

Reservations of stock for checkouts, the zero barrier that holds new reservations back until every
channel was told, the channel-sync group's own per-SKU view (with the events a gap holds), and what each
channel should be and was told.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hub.store.types

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

UTC = hub.store.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "inventory_reservations",
        sa.Column("reservation_id", sa.String(length=64), nullable=False),
        sa.Column("sku", sa.String(length=255), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("reservation_id", "sku", name=op.f("pk_inventory_reservations")),
    )
    with op.batch_alter_table("inventory_reservations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inventory_reservations_sku_state"), ["sku", "state"], unique=False
        )
    op.create_table(
        "inventory_barriers",
        sa.Column("sku", sa.String(length=255), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("set_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("sku", name=op.f("pk_inventory_barriers")),
    )
    op.create_table(
        "channel_sync_skus",
        sa.Column("sku", sa.String(length=255), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("on_hand", sa.JSON(), nullable=False),
        sa.Column("reserved", sa.BigInteger(), nullable=False),
        sa.Column("held", sa.JSON(), nullable=False),
        sa.Column("held_since", UTC, nullable=True),
        sa.Column("source_time", UTC, nullable=True),
        sa.Column("updated_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("sku", name=op.f("pk_channel_sync_skus")),
    )
    op.create_table(
        "channel_stock",
        sa.Column("sku", sa.String(length=255), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("source_time", UTC, nullable=False),
        sa.Column("computed_at", UTC, nullable=False),
        sa.Column("pushed_quantity", sa.BigInteger(), nullable=True),
        sa.Column("pushed_version", sa.BigInteger(), nullable=True),
        sa.Column("pushed_at", UTC, nullable=True),
        sa.Column("lag_ms", sa.BigInteger(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("retry_at", UTC, nullable=True),
        sa.PrimaryKeyConstraint("sku", "channel", name=op.f("pk_channel_stock")),
    )
    with op.batch_alter_table("channel_stock", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_channel_stock_channel_sku"), ["channel", "sku"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("channel_stock", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_channel_stock_channel_sku"))
    op.drop_table("channel_stock")
    op.drop_table("channel_sync_skus")
    op.drop_table("inventory_barriers")
    with op.batch_alter_table("inventory_reservations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inventory_reservations_sku_state"))
    op.drop_table("inventory_reservations")
