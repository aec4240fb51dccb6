"""The store on PostgreSQL: many processes on many machines, row locks, NOTIFY at commit."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    ARRAY,
    JSON,
    ColumnClause,
    ColumnElement,
    Connection,
    Engine,
    Integer,
    Select,
    Table,
    any_,
    bindparam,
    cast,
    create_engine,
    delete,
    func,
    insert,
    literal_column,
    select,
    text,
    type_coerce,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from hub.jsonio import json_text
from hub.store.backend import Backend, InboxValues, begun
from hub.store.commerce_tables import HISTORY_WRITE, ORDERS_ON_CONFLICT, ORDERS_WRITE, order_history, orders
from hub.store.pairs import pairs_in
from hub.store.postgres import consumed, listen, statements
from hub.store.tables import INBOX_WRITE, inbox, key_sequences, outbox
from hub.store.types import UTCDateTime
from hub.store.wakeup import Wakeup

_CTID: ColumnClause[Any] = literal_column("ctid")
# An arbitrary constant: every hub process that migrates takes this lock first.
_MIGRATION_LOCK = 0x6875625F6D6967


@cache
def _insert_inbox() -> Any:
    """Built once: ON CONFLICT DO NOTHING makes concurrent receivers safe, the loser of a race sees a
    duplicate."""
    return (
        postgresql.insert(inbox)
        .on_conflict_do_nothing(index_elements=["connector", "dedupe_key"])
        .returning(inbox.c.id, inbox.c.connector, inbox.c.dedupe_key)
    )


@cache
def _bump() -> Any:
    """Built once: building it (`excluded` proxies every column) costs more than running it. The upsert
    row-locks each key until commit, so a later transaction of the same key waits and gets a higher
    number: per key, sequence order is commit order."""
    stmt = postgresql.insert(key_sequences)
    return stmt.on_conflict_do_update(
        index_elements=["key"], set_={"seq": key_sequences.c.seq + stmt.excluded.seq}
    ).returning(key_sequences.c.key, key_sequences.c.seq)


# Built once: intake writes every batch's orders and history with them.
_ORDERS = text(
    f"INSERT INTO orders ({', '.join(ORDERS_WRITE)})"
    f" VALUES ({', '.join(':' + c for c in ORDERS_WRITE)})" + ORDERS_ON_CONFLICT
).bindparams(
    bindparam("detail", type_=JSON),
    bindparam("occurred_at", type_=UTCDateTime),
    bindparam("updated_at", type_=UTCDateTime),
)
_HISTORY = insert(order_history)


class PostgresBackend(Backend):
    def __init__(self, url: str, *, pool: bool = True) -> None:
        # Plain URLs as people paste them (postgresql://) get the driver the hub ships (psycopg 3).
        self.url = make_url(url).set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        options: dict[str, Any] = {"poolclass": NullPool} if not pool else {"pool_pre_ping": True}
        # hide_parameters: errors and logs would otherwise quote payload values (personal data).
        self.engine = create_engine(self.url, json_serializer=json_text, hide_parameters=True, **options)
        # Read-only transactions (BEGIN READ ONLY, set on the driver, no extra round trip); same pool.
        self.readers = self.engine.execution_options(postgresql_readonly=True)

    @contextmanager
    def transaction(self, *, write: bool, pinned: bool = False) -> Iterator[Connection]:
        # A pinned connection saves nothing here, and the pool's pre-ping replaces one a restart broke.
        with (self.engine if write else self.readers).connect() as conn, begun(conn):
            yield conn

    def lock(self, query: Select[Any], *, shared: bool = False, skip_locked: bool = False) -> Select[Any]:
        return query.with_for_update(read=shared, skip_locked=skip_locked)

    def lock_keys(self, conn: Connection, space: int, keys: Collection[int]) -> None:
        """Transaction-scoped advisory locks in ascending order, so two writers never deadlock."""
        ids = sorted(set(keys))
        lock_ids = func.unnest(cast(ids, ARRAY(Integer))).table_valued("k").render_derived()
        conn.execute(select(func.pg_advisory_xact_lock(space, lock_ids.c.k)).select_from(lock_ids))

    def insert(self, table: Table) -> Any:
        return postgresql.insert(table)

    def now_plus(self, seconds: float) -> ColumnElement[datetime]:
        moment: ColumnElement[Any] = func.now()
        if seconds:
            moment = moment + func.make_interval(0, 0, 0, 0, 0, 0, float(seconds))
        return type_coerce(moment, UTCDateTime)

    def delete_oldest(
        self, conn: Connection, table: Table, where: ColumnElement[bool], order: Any, n: int
    ) -> int:
        # By physical row address: `= ANY(ARRAY(...))` pins the plan to direct lookups (a join on the key
        # lets the planner hash the whole table for every batch); SKIP LOCKED: cleaners side by side.
        batch = select(_CTID).select_from(table).where(where).order_by(order).limit(n)
        batch = batch.with_for_update(skip_locked=True)
        return (
            conn.execute(delete(table).where(any_(func.array(batch.scalar_subquery())) == _CTID)).rowcount
            or 0
        )

    def insert_inbox(self, conn: Connection, rows: Sequence[InboxValues]) -> list[tuple[int, str, str]]:
        params = [dict(zip(INBOX_WRITE, v, strict=True)) for v in rows]
        return [(i, c, k) for i, c, k in conn.execute(_insert_inbox(), params)]

    def bump_sequences(self, conn: Connection, counts: Sequence[tuple[str, int]]) -> dict[str, int]:
        # Parameters passed to execute (not baked into .values()): one cached compiled statement that
        # SQLAlchemy sends as multi-row upserts, whatever the batch size.
        rows = conn.execute(_bump(), [{"key": k, "seq": n} for k, n in counts])
        return {key: seq for key, seq in rows}

    def append_outbox(self, conn: Connection, rows: list[dict[str, Any]], created_at: datetime) -> None:
        conn.execute(outbox.insert(), rows)
        listen.notify(conn)  # delivered at commit, to every relay listening

    def load_orders(self, conn: Connection, keys: Sequence[tuple[str, str]]) -> list[tuple[str, str, Any]]:
        c, found = orders.c, list[tuple[str, str, Any]]()
        for where in pairs_in(c.channel, c.order_id, keys):
            query = select(c.channel, c.order_id, c.detail).where(where).with_for_update()
            found.extend((channel, order_id, detail) for channel, order_id, detail in conn.execute(query))
        return found

    def save_orders(self, conn: Connection, rows: Sequence[tuple[Any, ...]], updated_at: datetime) -> None:
        conn.execute(_ORDERS, [dict(zip(ORDERS_WRITE, (*r, updated_at), strict=True)) for r in rows])

    def record_history(
        self, conn: Connection, rows: Sequence[tuple[Any, ...]], recorded_at: datetime
    ) -> None:
        conn.execute(_HISTORY, [dict(zip(HISTORY_WRITE, (*r, recorded_at), strict=True)) for r in rows])

    pending_outbox = staticmethod(statements.pending_outbox)
    mark_published = staticmethod(statements.mark_published)
    claim_events = staticmethod(consumed.claim_events)
    append_audit = staticmethod(consumed.append_audit)
    upsert_order_views = staticmethod(consumed.upsert_order_views)

    def wakeup(self) -> Wakeup:
        return listen.ListenWakeup(listen.libpq_dsn(self.url))

    def lock_migrations(self, conn: Connection) -> None:
        conn.execute(select(func.pg_advisory_xact_lock(_MIGRATION_LOCK)))

    def probe_engine(self, timeout_s: float) -> Engine:
        # A pooled connection finds out that the server is gone only when it is next used.
        return create_engine(
            self.url,
            poolclass=NullPool,
            hide_parameters=True,
            connect_args={"connect_timeout": max(1, round(timeout_s))},
        )

    def checkpoint_in_background(self) -> None:
        return None  # the server checkpoints on its own

    def dispose(self) -> None:
        self.engine.dispose()
