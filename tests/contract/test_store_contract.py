"""The store contract: every repository behaves the same on SQLite and PostgreSQL, including when two
connections race. One base class of tests; one subclass per store."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import DBAPIError

from hub.events import Event
from hub.events.orders import OrderPaid
from hub.events.stock import InventoryAdjusted
from hub.ids import new_traceparent
from hub.intake.emit import Origin, commit_drafts
from hub.mapping.drafts import draft_model
from hub.mapping.result import Draft
from hub.retention import cleanup
from hub.store import Store, UnitOfWork, inbox, outbox
from hub.store.repository import Repository
from hub.store.tables import audit_log, consumer_inbox, order_view
from hub.store.tables import inbox as inbox_table
from hub.store.tables import outbox as outbox_table
from tests.contract.feed import OCCURRED, commit_in, key_of
from tests.contract.stacks import PostgresStack, SqliteStack

T = TypeVar("T")
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
BLOCKED_S = 0.5  # long enough for a transaction that does not wait to have finished


def new_row(key: str, connector: str = "shop") -> inbox.NewInboxRow:
    return inbox.NewInboxRow(connector, key, None, None, NOW, "application/json", b"{}", None, "mapped")


def in_thread(pool: ThreadPoolExecutor, store: Store, work: Callable[[UnitOfWork], T]) -> Future[T]:
    """`work` in a writing unit of work of its own, committed, on the pool's thread."""

    def run() -> T:
        with store.unit_of_work() as uow:
            done = work(uow)
            uow.commit()
            return done

    return pool.submit(run)


def reading(pool: ThreadPoolExecutor, store: Store, work: Callable[[UnitOfWork], T]) -> Future[T]:
    def run() -> T:
        with store.read_only() as uow:
            return work(uow)

    return pool.submit(run)


def outbox_rows(store: Store) -> list[tuple[str, int, str]]:
    with store.transaction() as conn:
        query = select(outbox_table.c.partition_key, outbox_table.c.sequence, outbox_table.c.event_id)
        return [tuple(r) for r in conn.execute(query.order_by(outbox_table.c.id)).all()]  # type: ignore[misc]


class AuditRows(Repository):
    """A plug-in's repository: not one of the unit of work's own."""

    def count(self) -> int:
        return int(self.conn.execute(select(func.count()).select_from(audit_log)).scalar_one())


class StoreContract:
    def test_inbox_insert_new_returns_only_the_keys_not_seen_before(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            first = uow.inbox.insert_new([new_row("a"), new_row("b")])
            uow.commit()
        with store.unit_of_work() as uow:
            second = uow.inbox.insert_new([new_row("b"), new_row("c"), new_row("a", connector="other")])
            uow.commit()
        assert set(first) == {("shop", "a"), ("shop", "b")}
        assert set(second) == {("shop", "c"), ("other", "a")}
        assert len(set(first.values()) | set(second.values())) == 4
        with store.read_only() as uow:
            row = uow.inbox.get(first[("shop", "a")])
        assert row is not None and row.received_at == NOW and row.body == b"{}"

    def test_a_duplicate_racing_from_another_connection_is_seen_as_duplicate(self, store: Store) -> None:
        with ThreadPoolExecutor(1) as pool, store.unit_of_work() as uow:
            mine = uow.inbox.insert_new([new_row("race")])
            theirs = in_thread(
                pool, store, lambda theirs: theirs.inbox.insert_new([new_row("race"), new_row("other")])
            )
            time.sleep(BLOCKED_S)
            assert not theirs.done()  # it waits for our commit instead of inserting a second row
            uow.commit()
            assert set(theirs.result(timeout=30)) == {("shop", "other")}
        assert set(mine) == {("shop", "race")}
        with store.transaction() as conn:
            assert conn.execute(select(func.count()).select_from(inbox_table)).scalar_one() == 2

    def test_a_unit_of_work_keeps_only_what_it_committed(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            uow.inbox.insert_new([new_row("dropped")])  # never committed
        with pytest.raises(RuntimeError), store.unit_of_work() as uow:
            uow.inbox.insert_new([new_row("kept")])
            uow.commit()
            uow.inbox.insert_new([new_row("failed")])
            raise RuntimeError("the service failed after its first commit")
        with store.transaction() as conn:
            assert conn.execute(select(inbox_table.c.dedupe_key)).scalars().all() == ["kept"]

    def test_a_plug_in_repository_acts_in_the_units_transaction(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            commit_in(uow, ["plug-in"])
            row = uow.outbox.pending(1)[0]
            uow.audit_log.record("g", Event.from_binary(row.headers, row.payload), NOW)
            assert uow.get(AuditRows) is uow.get(AuditRows)
            assert uow.get(AuditRows).count() == 1  # sees the unit's own uncommitted write
        with store.read_only() as uow:
            assert uow.get(AuditRows).count() == 0

    def test_a_reader_proceeds_while_a_writer_holds_the_lock(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            commit_in(uow, ["before"])
            uow.commit()
        with ThreadPoolExecutor(1) as pool, store.unit_of_work() as uow:
            commit_in(uow, ["during"])  # holds the writer's lock until it commits (SQLite: the database's)
            seen = reading(pool, store, lambda reader: [r.partition_key for r in reader.outbox.pending(10)])
            # A reader that waited for the lock would wait for this commit, which comes only afterwards.
            assert seen.result(timeout=10) == [key_of("before")]
            uow.commit()

    def test_a_read_only_unit_of_work_refuses_to_write(self, store: Store) -> None:
        with pytest.raises(DBAPIError), store.read_only() as uow:
            uow.applied.claim("g", ["sneaked"], NOW)
        with store.read_only() as uow:
            assert uow.applied.count("g") == 0

    def test_sequences_are_consecutive_per_key(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            assert uow.sequences.allocate(["a", "b", "a", "a"]) == [1, 1, 2, 3]
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.sequences.allocate(["b", "c", "a"]) == [2, 1, 4]
            assert uow.sequences.allocate([]) == []

    def test_one_keys_sequence_and_outbox_order_follow_commit_order(self, store: Store) -> None:
        with ThreadPoolExecutor(1) as pool, store.unit_of_work() as uow:
            commit_in(uow, ["k1", "k1"])
            later = in_thread(pool, store, lambda c: commit_in(c, ["k2", "k1"]))
            time.sleep(BLOCKED_S)
            assert not later.done()  # the second writer of k1 waits for the first to commit
            uow.commit()
            later.result(timeout=30)
        rows = outbox_rows(store)
        k1 = [(seq, event_id) for key, seq, event_id in rows if key == key_of("k1")]
        assert [seq for seq, _ in k1] == [1, 2, 3]  # in id order too: the relay reads them in this order
        assert [key for key, _, _ in rows].count(key_of("k2")) == 1

    def test_outbox_pending_comes_in_id_order_per_shard_until_marked(self, store: Store) -> None:
        orders = [f"o{i}" for i in range(40)]
        with store.unit_of_work() as uow:
            commit_in(uow, orders + orders[:10])
            pending = uow.outbox.pending(1000)
            assert len(pending) == 50 and [r.id for r in pending] == sorted(r.id for r in pending)
            shard = outbox.shard_of(key_of("o3"))
            in_shard = uow.outbox.pending(1000, [shard])
            assert in_shard and {outbox.shard_of(r.partition_key) for r in in_shard} == {shard}
            assert [r.id for r in uow.outbox.pending(7)] == [r.id for r in pending[:7]]
            # Read-ahead: the rows still with the broker are left out, the rest come in id order.
            ahead = uow.outbox.pending(1000, exclude=[r.id for r in pending[3:9]])
            assert [r.id for r in ahead] == [r.id for r in pending[:3] + pending[9:]]
            assert {r.shard for r in pending} == {outbox.shard_of(r.partition_key) for r in pending}
            uow.outbox.mark_published([r.id for r in pending[:30]], NOW)
            uow.commit()
        with store.read_only() as uow:
            assert [r.id for r in uow.outbox.pending(1000)] == [r.id for r in pending[30:]]
            assert uow.outbox.backlog() == 20
            headers = dict(pending[0].headers)
            assert headers["ce_partitionkey"] == key_of("o0").encode()
            assert pending[0].created_at.tzinfo is not None
        with store.transaction() as conn:
            stored = conn.execute(select(outbox_table.c.created_at).where(outbox_table.c.id == pending[0].id))
            assert pending[0].timestamp_ms == int(stored.scalar_one().timestamp() * 1000)

    def test_quarantine_entries_are_added_listed_retried_and_resolved(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            ids = uow.inbox.insert_new([new_row("q1"), new_row("q2")])
            rows = [
                {"inbox_id": ids[("shop", k)], "connector": "shop", "mapping": "m", "reason": f"bad {k}"}
                for k in ("q1", "q2")
            ]
            uow.quarantine.add([{**rows[0], "detail": {"path": "$.x"}}, {**rows[1], "detail": None}], NOW)
            uow.commit()
        with store.unit_of_work() as uow:
            first, second = uow.quarantine.open_entries()
            assert (first.reason, first.detail, first.attempts) == ("bad q1", {"path": "$.x"}, 1)
            assert uow.quarantine.lock_open(first.id) is not None
            uow.quarantine.still_failing(first.id, "still bad", None, NOW + timedelta(hours=1))
            uow.quarantine.resolve(second.id, second.inbox_id, "mapped", NOW + timedelta(hours=1))
            uow.commit()
        with store.unit_of_work() as uow:
            assert [e.id for e in uow.quarantine.open_entries()] == [first.id]
            again = uow.quarantine.get(first.id)
            assert again is not None and (again.reason, again.attempts) == ("still bad", 2)
            assert uow.quarantine.lock_open(second.id) is None
            resolved = uow.inbox.get(second.inbox_id)
            assert resolved is not None and resolved.status == "mapped"

    def test_consumer_claims_dedupe_per_group(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            assert uow.applied.claim("g1", ["e1", "e2", "e1"], NOW) == {"e1", "e2"}
            assert uow.applied.claim("g1", ["e2", "e3"], NOW) == {"e3"}
            assert uow.applied.claim("g2", ["e1"], NOW) == {"e1"}
            assert uow.applied.claim("g2", [], NOW) == set()
            assert uow.applied.count("g1") == 3

    def test_a_claim_racing_from_another_connection_applies_once(self, store: Store) -> None:
        with ThreadPoolExecutor(1) as pool, store.unit_of_work() as uow:
            assert uow.applied.claim("g", ["e1"], NOW) == {"e1"}
            theirs = in_thread(pool, store, lambda c: c.applied.claim("g", ["e1", "e2"], NOW))
            time.sleep(BLOCKED_S)
            assert not theirs.done()
            uow.commit()
            assert theirs.result(timeout=30) == {"e2"}

    def test_an_order_view_takes_the_newest_sequence_and_counts_every_event(self, store: Store) -> None:
        def paid(sequence: int, status: str) -> Event:
            data = OrderPaid(channel="tiktok", order_id="o-1", channel_status=status, occurred_at=OCCURRED)
            tag = f"view-{sequence}-{status}"
            return Event.create(
                data,
                event_id=tag,
                source="/connectors/tiktok",
                sequence=sequence,
                correlationid=tag,
                causationid=tag,
                traceparent=new_traceparent(),
            )

        def view() -> tuple[str | None, int, int]:
            with store.transaction() as conn:
                query = select(
                    order_view.c.channel_status, order_view.c.last_sequence, order_view.c.events_applied
                )
                row = conn.execute(query).one()
                return row[0], row[1], row[2]

        with store.unit_of_work() as uow:  # a new order; the batch's newest event wins
            with uow.batched():
                for event in (paid(2, "AWAITING_SHIPMENT"), paid(3, "IN_TRANSIT"), paid(1, "UNPAID")):
                    uow.order_views.apply(event, NOW)
            uow.commit()
        assert view() == ("IN_TRANSIT", 3, 3)
        with store.unit_of_work() as uow:
            with uow.batched():
                for event in (paid(3, "IN_TRANSIT"), paid(2, "AWAITING_SHIPMENT"), paid(3, "IN_TRANSIT")):
                    uow.order_views.apply(event, NOW)
            uow.commit()
        assert view() == ("IN_TRANSIT", 3, 6)  # older or equal sequences count, and change nothing else
        with store.unit_of_work() as uow:
            uow.order_views.apply(paid(5, "DELIVERED"), NOW)  # outside a batch: written at once
            uow.order_views.apply(paid(4, "IN_TRANSIT"), NOW)
            uow.commit()
        assert view() == ("DELIVERED", 5, 8)

    def test_concurrent_first_adjustments_of_one_sku_both_count(self, store: Store) -> None:
        def adjust(uow: UnitOfWork, delta: int, tag: str) -> None:
            draft = draft_model(InventoryAdjusted)(
                occurred_at=OCCURRED, reason="restock", sku="SKU-NEW", location="main", delta=delta
            )
            commit_drafts(uow, [(Origin(1, "shop", tag, None), [Draft(draft, tag, InventoryAdjusted)])], NOW)

        with ThreadPoolExecutor(1) as pool, store.unit_of_work() as uow:
            adjust(uow, 5, "first")
            theirs = in_thread(pool, store, lambda c: adjust(c, 3, "second"))
            time.sleep(BLOCKED_S)
            uow.commit()
            theirs.result(timeout=30)
        with store.unit_of_work() as uow:
            assert uow.ledger.levels([("SKU-NEW", "main")]) == {("SKU-NEW", "main"): 8}
        assert [seq for key, seq, _ in outbox_rows(store)] == [1, 2]

    def test_cleanup_deletes_old_published_rows_and_claims_in_batches(self, store: Store) -> None:
        old, recent = NOW - timedelta(days=8), NOW - timedelta(hours=1)
        with store.unit_of_work() as uow:
            commit_in(uow, [f"c{i}" for i in range(12)])
            ids = [r.id for r in uow.outbox.pending(100)]
            uow.outbox.mark_published(ids[:7], old)
            uow.outbox.mark_published(ids[7:9], recent)
            uow.applied.claim("g", [f"old{i}" for i in range(5)], old)
            uow.applied.claim("g", ["new"], recent)
            uow.commit()
        with store.transaction() as conn:
            # ids[9:] stay unpublished however old they are
            conn.execute(update(outbox_table).values(created_at=old - timedelta(days=30)))
        done = cleanup(store, timedelta(days=7), batch=2, now=NOW)
        assert (done.outbox, done.consumer_inbox) == (7, 5)
        with store.transaction() as conn:
            left = conn.execute(select(outbox_table.c.id).order_by(outbox_table.c.id)).scalars().all()
            assert left == ids[7:]
            assert conn.execute(select(consumer_inbox.c.event_id)).scalars().all() == ["new"]
        assert cleanup(store, timedelta(days=7), batch=2, now=NOW).outbox == 0


class TestSqliteStore(SqliteStack, StoreContract):
    pass


class TestPostgresStore(PostgresStack, StoreContract):
    pass
