"""inbox: the request headers a connector's mappings read

A mapping may read a request header of its delivery (`{type: header, name: X-Shopify-Shop-Domain}`). The
inbox keeps those headers with the body (only the ones the connector's mappings name), so re-normalizing
a stored delivery, a quarantine retry, reads the same values.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("headers", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.drop_column("headers")
