"""The store's schema. Migrations in hub/store/migrations must produce exactly this."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from hub.store.metadata import metadata as metadata  # every table of the store is on it
from hub.store.types import BigId, UTCDateTime

# Every accepted payload, kept whole before anything is derived from it.
inbox = Table(
    "inbox",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("connector", String(64), nullable=False),
    Column("dedupe_key", String(255), nullable=False),
    Column("account", String(128)),
    Column("route", String(128), doc="Explicit route (a pull stream); NULL means: route by the payload."),
    Column("received_at", UTCDateTime, nullable=False),
    Column("content_type", String(128)),
    Column("body", LargeBinary, nullable=False),
    Column("status", String(16), nullable=False, doc="mapped | quarantined | ignored"),
    Column("note", Text, doc="Why a payload was ignored."),
    Column("traceparent", String(55)),
    Column(
        "headers",
        JSON,
        doc="The request headers the connector's mappings read (`type: header`), kept for re-normalization.",
    ),
    UniqueConstraint("connector", "dedupe_key"),
)
# The columns intake writes, in the order of the values the store's insert_inbox takes.
INBOX_WRITE = (
    "connector",
    "dedupe_key",
    "account",
    "route",
    "received_at",
    "content_type",
    "body",
    "status",
    "note",
    "traceparent",
    "headers",
)

# Payloads that did not map: the inbox row keeps the body, this row keeps why.
quarantine = Table(
    "quarantine",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("inbox_id", BigInteger, ForeignKey("inbox.id"), nullable=False, unique=True),
    Column("connector", String(64), nullable=False),
    Column("mapping", String(128)),
    Column("reason", Text, nullable=False),
    Column("detail", JSON),
    Column("quarantined_at", UTCDateTime, nullable=False),
    Column("attempts", Integer, nullable=False, default=1),
    Column("last_attempt_at", UTCDateTime, nullable=False),
    Column("resolved_at", UTCDateTime),
)

# What people did with quarantined payloads: discarded (with why), or re-normalized by a retry.
quarantine_audit = Table(
    "quarantine_audit",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("inbox_id", BigInteger, ForeignKey("inbox.id"), nullable=False, index=True),
    Column("action", String(16), nullable=False, doc="discarded | mapped | ignored"),
    Column("reason", Text),
    Column("actor", String(128), nullable=False, doc="Who did it: the operating system user."),
    Column("at", UTCDateTime, nullable=False),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("topic", String(64), nullable=False),
    Column("partition_key", String(255), nullable=False),
    Column("shard", SmallInteger, nullable=False, doc="Hash of the partition key: relays lease shards."),
    Column("sequence", BigInteger, nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("headers", JSON, nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("published_at", UTCDateTime),
)
# The relay's scan reads only unpublished rows; a partial index keeps that cheap however big the table.
Index(
    "ix_outbox_pending",
    outbox.c.shard,
    outbox.c.id,
    sqlite_where=outbox.c.published_at.is_(None),
    postgresql_where=outbox.c.published_at.is_(None),
)
# Retention cleanup deletes the oldest published rows in small batches; this index finds them.
Index("ix_outbox_published_at", outbox.c.published_at)
# The relay's scan in id order: without it the walk steps over every published row below the oldest
# pending one, batch after batch.
Index(
    "ix_outbox_pending_id",
    outbox.c.id,
    sqlite_where=outbox.c.published_at.is_(None),
    postgresql_where=outbox.c.published_at.is_(None),
)

# Per partition key, the last sequence handed out; its row lock orders commits of one key.
key_sequences = Table(
    "key_sequences",
    metadata,
    Column("key", String(255), primary_key=True),
    Column("seq", BigInteger, nullable=False),
)

# The per-SKU inventory ledger's current level per location.
inventory_levels = Table(
    "inventory_levels",
    metadata,
    Column("sku", String(255), nullable=False),
    Column("location", String(255), nullable=False),
    Column("on_hand", BigInteger, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column(
        "version",
        BigInteger,
        nullable=False,
        server_default="0",
        doc="The SKU's sequence (InventoryAdjusted.version) of the adjustment that set this level.",
    ),
    PrimaryKeyConstraint("sku", "location"),
)

# Which events each consumer group has applied: the dedupe that makes effects exactly-once.
consumer_inbox = Table(
    "consumer_inbox",
    metadata,
    Column("group_name", String(128), nullable=False),
    Column("event_id", String(36), nullable=False),
    Column("applied_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("group_name", "event_id"),
    # Retention cleanup finds the oldest claims by this index.
    Index(None, "applied_at"),
)

# Effects of the built-in consumer groups. No unique constraint on purpose: a double apply shows.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("group_name", String(128), nullable=False),
    Column("event_id", String(36), nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("partition_key", String(255), nullable=False),
    Column("sequence", BigInteger, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Index(None, "group_name", "event_id"),
)

# The last failure of each consumer group, for `hub groups`; cleared by the group's next success.
consumer_group_errors = Table(
    "consumer_group_errors",
    metadata,
    Column("group_name", String(128), primary_key=True),
    Column("error", Text, nullable=False),
    Column("failed_at", UTCDateTime, nullable=False),
)

order_view = Table(
    "order_view",
    metadata,
    Column("channel", String(64), nullable=False),
    Column("order_id", String(128), nullable=False),
    Column("account", String(128)),
    Column("last_event_type", String(64), nullable=False),
    Column("channel_status", String(64)),
    Column("last_sequence", BigInteger, nullable=False),
    Column("events_applied", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("channel", "order_id"),
)

# What consumer groups could not apply: the dead letters (status dead, with the error and the attempts), the
# events that wait behind one on a parked key (status parked), and what became of each (redriven, dropped).
# The record is kept whole, headers and value as the log held them, so a redrive applies it as it was.
dead_letters = Table(
    "dead_letters",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("group_name", String(128), nullable=False),
    Column("event_id", String(255), nullable=False, doc="The event's id, or topic/partition@offset."),
    Column("event_type", String(64)),
    Column("partition_key", String(255), nullable=False),
    Column("topic", String(64), nullable=False),
    Column("log_partition", Integer, nullable=False),
    Column("log_offset", BigInteger, nullable=False),
    Column("headers", LargeBinary, nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("status", String(16), nullable=False, doc="dead | parked | redriven | dropped"),
    Column("error", Text),
    Column("attempts", Integer, nullable=False),
    Column("failed_at", UTCDateTime, nullable=False),
    Column("last_attempt_at", UTCDateTime, nullable=False),
    Column("resolved_at", UTCDateTime),
    UniqueConstraint("group_name", "event_id"),
    # A parked key's events in the order they arrived; the status counts for metrics and `hub status`.
    Index(None, "group_name", "partition_key", "id"),
    Index(None, "status", "group_name"),
)

# Keys of ordered groups whose events wait: a dead letter, or a group's own decision (a sequence gap).
parked_keys = Table(
    "parked_keys",
    metadata,
    Column("group_name", String(128), nullable=False),
    Column("partition_key", String(255), nullable=False),
    Column("reason", Text, nullable=False),
    Column("parked_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("group_name", "partition_key"),
)

# What people did with dead letters: redriven (and whether it applied), dropped with why.
dead_letter_audit = Table(
    "dead_letter_audit",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("dead_letter_id", BigInteger, ForeignKey("dead_letters.id"), nullable=False, index=True),
    Column("action", String(16), nullable=False, doc="redriven | failed | dropped"),
    Column("reason", Text),
    Column("actor", String(128), nullable=False, doc="Who did it: the operating system user."),
    Column("at", UTCDateTime, nullable=False),
)

# Where a rewind found the end of each partition: a group's records below it are replays, and say so.
consumer_replays = Table(
    "consumer_replays",
    metadata,
    Column("group_name", String(128), nullable=False),
    Column("topic", String(64), nullable=False),
    Column("log_partition", Integer, nullable=False),
    Column("until_offset", BigInteger, nullable=False),
    Column("rewound_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("group_name", "topic", "log_partition"),
)

# Relays that are alive: each heartbeats its row; the number of live rows sets every relay's fair share.
relay_members = Table(
    "relay_members",
    metadata,
    Column("owner", String(128), primary_key=True),
    Column("started_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False, doc="Set from the database's clock, never a relay's."),
)

# One row per outbox shard: which relay may publish it, until when, and the fencing token of that grant.
relay_leases = Table(
    "relay_leases",
    metadata,
    Column("shard", SmallInteger, primary_key=True, autoincrement=False),
    Column("owner", String(128), doc="NULL: free."),
    Column(
        "epoch", BigInteger, nullable=False, doc="Raised on every grant; a relay marks only under its own."
    ),
    Column("expires_at", UTCDateTime, doc="Set from the database's clock; past it the shard may be taken."),
)

# What went wrong where nobody was watching (a failed Dagster run, ...), until someone looks: `hub alerts`.
alerts = Table(
    "alerts",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("source", String(128), nullable=False, doc="What raised it, e.g. the Dagster job's name."),
    Column("run_id", String(64), doc="The Dagster run, when a run failed."),
    Column("message", Text, nullable=False),
    Column("raised_at", UTCDateTime, nullable=False),
    Index(None, "raised_at"),
)

# The commerce domain's and the pull streams' tables live in modules of their own, on this metadata.
import hub.store.commerce_tables  # noqa: E402
import hub.store.pull_tables  # noqa: E402,F401
