"""The store contract: every repository behaves the same on SQLite and PostgreSQL, including when two
connections race. One base class of tests; one subclass per store."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from sqlalchemy import Connection, func, select, update

from hub.events.stock import InventoryAdjusted
from hub.intake.emit import Origin, commit_drafts
from hub.mapping.drafts import draft_model
from hub.mapping.result import Draft
from hub.retention import cleanup
from hub.store import Store, applied, inbox, outbox, quarantine, sequences
from hub.store import ledger as ledger_repo
from hub.store.tables import consumer_inbox
from hub.store.tables import outbox as outbox_table
from tests.contract.feed import OCCURRED, commit_in, key_of
from tests.contract.stacks import PostgresStack, SqliteStack

T = TypeVar("T")
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
BLOCKED_S = 0.5  # long enough for a transaction that does not wait to have finished


def new_row(key: str, connector: str = "shop") -> inbox.NewInboxRow:
    return inbox.NewInboxRow(connector, key, None, None, NOW, "application/json", b"{}", None, "mapped")


def in_thread(pool: ThreadPoolExecutor, store: Store, work: Callable[[Connection], T]) -> Future[T]:
    def run() -> T:
        with store.transaction() as conn:
            return work(conn)

    return pool.submit(run)


def outbox_rows(store: Store) -> list[tuple[str, int, str]]:
    with store.transaction() as conn:
        query = select(outbox_table.c.partition_key, outbox_table.c.sequence, outbox_table.c.event_id)
        return [tuple(r) for r in conn.execute(query.order_by(outbox_table.c.id)).all()]  # type: ignore[misc]


class StoreContract:
    def test_inbox_insert_new_returns_only_the_keys_not_seen_before(self, store: Store) -> None:
        with store.transaction() as conn:
            first = inbox.insert_new(conn, [new_row("a"), new_row("b")])
        with store.transaction() as conn:
            second = inbox.insert_new(conn, [new_row("b"), new_row("c"), new_row("a", connector="other")])
        assert set(first) == {("shop", "a"), ("shop", "b")}
        assert set(second) == {("shop", "c"), ("other", "a")}
        assert len(set(first.values()) | set(second.values())) == 4
        with store.transaction() as conn:
            row = inbox.get(conn, first[("shop", "a")])
        assert row is not None and row.received_at == NOW and row.body == b"{}"

    def test_a_duplicate_racing_from_another_connection_is_seen_as_duplicate(self, store: Store) -> None:
        with ThreadPoolExecutor(1) as pool, store.transaction() as conn:
            mine = inbox.insert_new(conn, [new_row("race")])
            theirs = in_thread(
                pool, store, lambda c: inbox.insert_new(c, [new_row("race"), new_row("other")])
            )
            time.sleep(BLOCKED_S)
            assert not theirs.done()  # it waits for our commit instead of inserting a second row
            conn.commit()
            assert set(theirs.result(timeout=30)) == {("shop", "other")}
        assert set(mine) == {("shop", "race")}
        with store.transaction() as conn:
            assert conn.execute(select(func.count()).select_from(inbox.inbox)).scalar_one() == 2

    def test_sequences_are_consecutive_per_key(self, store: Store) -> None:
        with store.transaction() as conn:
            assert sequences.allocate(conn, ["a", "b", "a", "a"]) == [1, 1, 2, 3]
        with store.transaction() as conn:
            assert sequences.allocate(conn, ["b", "c", "a"]) == [2, 1, 4]
            assert sequences.allocate(conn, []) == []

    def test_one_keys_sequence_and_outbox_order_follow_commit_order(self, store: Store) -> None:
        with ThreadPoolExecutor(1) as pool, store.transaction() as conn:
            commit_in(conn, ["k1", "k1"])
            later = in_thread(pool, store, lambda c: commit_in(c, ["k2", "k1"]))
            time.sleep(BLOCKED_S)
            assert not later.done()  # the second writer of k1 waits for the first to commit
            conn.commit()
            later.result(timeout=30)
        rows = outbox_rows(store)
        k1 = [(seq, event_id) for key, seq, event_id in rows if key == key_of("k1")]
        assert [seq for seq, _ in k1] == [1, 2, 3]  # in id order too: the relay reads them in this order
        assert [key for key, _, _ in rows].count(key_of("k2")) == 1

    def test_outbox_pending_comes_in_id_order_per_shard_until_marked(self, store: Store) -> None:
        orders = [f"o{i}" for i in range(40)]
        with store.transaction() as conn:
            commit_in(conn, orders + orders[:10])
            pending = outbox.pending(conn, 1000)
            assert len(pending) == 50 and [r.id for r in pending] == sorted(r.id for r in pending)
            shard = outbox.shard_of(key_of("o3"))
            in_shard = outbox.pending(conn, 1000, [shard])
            assert in_shard and {outbox.shard_of(r.partition_key) for r in in_shard} == {shard}
            assert [r.id for r in outbox.pending(conn, 7)] == [r.id for r in pending[:7]]
            # Read-ahead: the rows still with the broker are left out, the rest come in id order.
            ahead = outbox.pending(conn, 1000, exclude=[r.id for r in pending[3:9]])
            assert [r.id for r in ahead] == [r.id for r in pending[:3] + pending[9:]]
            assert {r.shard for r in pending} == {outbox.shard_of(r.partition_key) for r in pending}
            outbox.mark_published(conn, [r.id for r in pending[:30]], NOW)
        with store.transaction() as conn:
            assert [r.id for r in outbox.pending(conn, 1000)] == [r.id for r in pending[30:]]
            assert outbox.backlog(conn) == 20
            headers = dict(pending[0].headers)
            assert headers["ce_partitionkey"] == key_of("o0").encode()
            assert pending[0].created_at.tzinfo is not None
            stored = conn.execute(select(outbox_table.c.created_at).where(outbox_table.c.id == pending[0].id))
            assert pending[0].timestamp_ms == int(stored.scalar_one().timestamp() * 1000)

    def test_quarantine_entries_are_added_listed_retried_and_resolved(self, store: Store) -> None:
        with store.transaction() as conn:
            ids = inbox.insert_new(conn, [new_row("q1"), new_row("q2")])
            rows = [
                {"inbox_id": ids[("shop", k)], "connector": "shop", "mapping": "m", "reason": f"bad {k}"}
                for k in ("q1", "q2")
            ]
            quarantine.add(conn, [{**rows[0], "detail": {"path": "$.x"}}, {**rows[1], "detail": None}], NOW)
        with store.transaction() as conn:
            first, second = quarantine.open_entries(conn)
            assert (first.reason, first.detail, first.attempts) == ("bad q1", {"path": "$.x"}, 1)
            assert quarantine.lock_open(conn, first.id) is not None
            quarantine.still_failing(conn, first.id, "still bad", None, NOW + timedelta(hours=1))
            quarantine.resolve(conn, second.id, second.inbox_id, "mapped", NOW + timedelta(hours=1))
        with store.transaction() as conn:
            assert [e.id for e in quarantine.open_entries(conn)] == [first.id]
            again = quarantine.get(conn, first.id)
            assert again is not None and (again.reason, again.attempts) == ("still bad", 2)
            assert quarantine.lock_open(conn, second.id) is None
            resolved = inbox.get(conn, second.inbox_id)
            assert resolved is not None and resolved.status == "mapped"

    def test_consumer_claims_dedupe_per_group(self, store: Store) -> None:
        with store.transaction() as conn:
            assert applied.claim(conn, "g1", ["e1", "e2", "e1"], NOW) == {"e1", "e2"}
            assert applied.claim(conn, "g1", ["e2", "e3"], NOW) == {"e3"}
            assert applied.claim(conn, "g2", ["e1"], NOW) == {"e1"}
            assert applied.claim(conn, "g2", [], NOW) == set()
            assert applied.applied_count(conn, "g1") == 3

    def test_a_claim_racing_from_another_connection_applies_once(self, store: Store) -> None:
        with ThreadPoolExecutor(1) as pool, store.transaction() as conn:
            assert applied.claim(conn, "g", ["e1"], NOW) == {"e1"}
            theirs = in_thread(pool, store, lambda c: applied.claim(c, "g", ["e1", "e2"], NOW))
            time.sleep(BLOCKED_S)
            assert not theirs.done()
            conn.commit()
            assert theirs.result(timeout=30) == {"e2"}

    def test_concurrent_first_adjustments_of_one_sku_both_count(self, store: Store) -> None:
        def adjust(conn: Connection, delta: int, tag: str) -> None:
            draft = draft_model(InventoryAdjusted)(
                occurred_at=OCCURRED, reason="restock", sku="SKU-NEW", location="main", delta=delta
            )
            commit_drafts(conn, [(Origin(1, "shop", tag, None), [Draft(draft, tag, InventoryAdjusted)])], NOW)

        with ThreadPoolExecutor(1) as pool, store.transaction() as conn:
            adjust(conn, 5, "first")
            theirs = in_thread(pool, store, lambda c: adjust(c, 3, "second"))
            time.sleep(BLOCKED_S)
            conn.commit()
            theirs.result(timeout=30)
        with store.transaction() as conn:
            assert ledger_repo.levels(conn, [("SKU-NEW", "main")]) == {("SKU-NEW", "main"): 8}
        assert [seq for key, seq, _ in outbox_rows(store)] == [1, 2]

    def test_cleanup_deletes_old_published_rows_and_claims_in_batches(self, store: Store) -> None:
        old, recent = NOW - timedelta(days=8), NOW - timedelta(hours=1)
        with store.transaction() as conn:
            commit_in(conn, [f"c{i}" for i in range(12)])
            ids = [r.id for r in outbox.pending(conn, 100)]
            outbox.mark_published(conn, ids[:7], old)
            outbox.mark_published(conn, ids[7:9], recent)
            # ids[9:] stay unpublished however old they are
            conn.execute(update(outbox_table).values(created_at=old - timedelta(days=30)))
            applied.claim(conn, "g", [f"old{i}" for i in range(5)], old)
            applied.claim(conn, "g", ["new"], recent)
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
