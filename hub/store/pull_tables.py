"""The pull streams' tables: marketplace API tokens, rate budgets, each stream's cursor and the queue of
follow-up fetches. On the store's one metadata; hub/store/tables.py imports this module, so migrations and
tests/store/test_migrations.py see one schema."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Float,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from hub.store.metadata import metadata
from hub.store.types import BigId, UTCDateTime

# Marketplace API access tokens, one per (connector, account), shared by every worker and process: the
# one that holds the lease refreshes, the others wait for the new generation.
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("connector", String(64), nullable=False),
    Column("account", String(64), nullable=False),
    Column("token", Text, doc="The access token (short-lived). NULL: none yet, or known to be expired."),
    Column("expires_at", Float, doc="Unix time."),
    Column("generation", Integer, nullable=False, doc="Raised on every refresh."),
    Column("lease_owner", String(128), doc="Who is refreshing now."),
    Column("lease_until", Float, doc="Unix time; past it another worker may refresh."),
    PrimaryKeyConstraint("connector", "account"),
)

# Token buckets per (connector, account, operation): every process takes its requests from the same one.
rate_buckets = Table(
    "rate_buckets",
    metadata,
    Column("connector", String(64), nullable=False),
    Column("account", String(64), nullable=False),
    Column("operation", String(64), nullable=False),
    Column("tokens", Float, nullable=False, doc="May go negative: requests reserved ahead of time."),
    Column("stamp", Float, nullable=False, doc="Unix time of `tokens`."),
    Column("rps", Float, nullable=False),
    Column("burst", Integer, nullable=False),
    PrimaryKeyConstraint("connector", "account", "operation"),
)

# Per pull stream and account: the cursor of the next sync, the walk in progress, the last run.
pull_state = Table(
    "pull_state",
    metadata,
    Column("connector", String(64), nullable=False),
    Column("stream", String(64), nullable=False),
    Column("account", String(64), nullable=False),
    Column("cursor", String(64), doc="Greatest change time of a completed walk (ISO 8601)."),
    Column("walk", JSON, doc="The walk in progress: its range, next page, greatest change time seen."),
    Column("last_started_at", UTCDateTime),
    Column("last_finished_at", UTCDateTime),
    Column("last_status", String(16), doc="running | ok | failed | stopped"),
    Column("last_error", Text),
    Column("records", BigInteger, nullable=False, default=0, doc="Records pulled, all runs."),
    Column("pages", BigInteger, nullable=False, default=0),
    Column("lease_owner", String(128), doc="The sync running now: host:pid:id."),
    Column("lease_until", Float, doc="Unix time; renewed while the sync runs."),
    PrimaryKeyConstraint("connector", "stream", "account"),
)

# Follow-up fetches of thin notifications, queued in the transaction that stored the notification.
fetch_queue = Table(
    "fetch_queue",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("connector", String(64), nullable=False),
    Column("route", String(128), nullable=False),
    Column("account", String(128)),
    Column("key", String(255), nullable=False),
    Column("inbox_id", BigInteger, nullable=False, doc="The latest notification that asked for it."),
    Column(
        "generation", Integer, nullable=False, doc="Raised by each new ask: a fetch older than it reruns."
    ),
    Column("attempts", Integer, nullable=False, default=0),
    Column("due_at", Float, nullable=False, doc="Unix time."),
    Column("lease_until", Float),
    Column("last_error", Text),
    UniqueConstraint("connector", "route", "key"),
)
