"""relay leases and retention indexes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 04:33:03.867272
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hub.store.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "relay_leases",
        sa.Column("shard", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("owner", sa.String(length=128), nullable=True),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", hub.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("shard", name=op.f("pk_relay_leases")),
    )
    op.create_table(
        "relay_members",
        sa.Column("owner", sa.String(length=128), nullable=False),
        sa.Column("started_at", hub.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", hub.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("owner", name=op.f("pk_relay_members")),
    )
    with op.batch_alter_table("consumer_inbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consumer_inbox_applied_at"), ["applied_at"], unique=False)
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_published_at", ["published_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_published_at")
    with op.batch_alter_table("consumer_inbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consumer_inbox_applied_at"))
    op.drop_table("relay_members")
    op.drop_table("relay_leases")
