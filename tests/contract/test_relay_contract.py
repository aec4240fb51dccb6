"""The relay contract, on every store and broker: every committed event reaches the log, one key's events
first appear in commit order, a crash between publish and mark loses nothing, consumer groups apply each
event once, and two relays at once (sharing the shards through leases) keep per-key order."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import cast

from sqlalchemy import func, select, update

from hub.broker.port import Broker, Message, PublishError
from hub.consumers.discovery import groups
from hub.consumers.runner import GroupRunner
from hub.relay import Relay, Wakeup
from hub.relay.leases import LeaseKeeper
from hub.store import Store, outbox
from hub.store.tables import audit_log, order_view, relay_leases, relay_members
from tests.contract.feed import commit_rounds, committed, first_appearances, logged
from tests.contract.stacks import EmbeddedStack, KafkaStack, PostgresStack, SqliteStack

DEADLINE_S = 60.0


class SimulatedCrash(Exception):
    pass


class CrashAfterPublish:
    """The broker holds the batch, then the relay dies before it can mark the rows published."""

    def __init__(self, broker: Broker) -> None:
        self.broker = broker

    def publish(self, messages: Sequence[Message]) -> None:
        self.broker.publish(messages)
        raise SimulatedCrash


class CrashOnPublish:
    """Publishes, then dies on the `nth` publish: after the broker holds that batch, before any mark."""

    def __init__(self, broker: Broker, nth: int) -> None:
        self.broker = broker
        self.nth = nth
        self.calls = 0

    def publish(self, messages: Sequence[Message]) -> None:
        self.calls += 1
        self.broker.publish(messages)
        if self.calls == self.nth:
            raise SimulatedCrash


class RefuseOnPublish:
    """The broker refuses the `nth` publish outright: none of that batch reaches it."""

    def __init__(self, broker: Broker, nth: int) -> None:
        self.broker = broker
        self.nth = nth
        self.calls = 0

    def publish(self, messages: Sequence[Message]) -> None:
        self.calls += 1
        if self.calls == self.nth:
            raise PublishError("refused")
        self.broker.publish(messages)


class TakeoverDuringPublish:
    """While the relay's first batch is with the broker, another relay takes every shard over: the first
    relay's leases expire (it stalled) and the other's heartbeat grants them anew."""

    def __init__(self, broker: Broker, store: Store, victim: LeaseKeeper, thief: LeaseKeeper) -> None:
        self.broker = broker
        self.store = store
        self.victim = victim
        self.thief = thief
        self.calls = 0

    def publish(self, messages: Sequence[Message]) -> None:
        self.calls += 1
        if self.calls == 1:
            with self.store.transaction() as conn:
                past = datetime.now(UTC) - timedelta(hours=1)
                conn.execute(update(relay_leases).values(expires_at=past))
                conn.execute(
                    update(relay_members)
                    .where(relay_members.c.owner == self.victim.owner)
                    .values(expires_at=past)
                )
            self.thief.maintain(force=True)
            assert len(self.thief.held()) == outbox.SHARDS
        self.broker.publish(messages)


class Counting:
    def __init__(self, broker: Broker) -> None:
        self.broker = broker
        self.published = 0

    def publish(self, messages: Sequence[Message]) -> None:
        self.broker.publish(messages)
        self.published += len(messages)


def backlog(store: Store) -> int:
    with store.read_only() as uow:
        return uow.outbox.backlog()


def drain(relay: Relay, store: Store) -> None:
    """Like `hub relay --once`: keep at it until the outbox is empty (leases of a dead relay expire)."""
    deadline = time.monotonic() + DEADLINE_S
    while backlog(store):
        assert time.monotonic() < deadline, f"{backlog(store)} event(s) never published"
        if not relay.drain():
            time.sleep(0.1)


def orders(n: int) -> list[str]:
    return [f"{i:05d}" for i in range(n)]


class RelayContract:
    def test_every_pending_event_is_published_once_in_per_key_order(
        self, store: Store, broker: Broker
    ) -> None:
        total = commit_rounds(store, orders(120), rounds=4)
        relay = Relay(store, broker, batch_size=100, leases=LeaseKeeper(store, ttl_s=10))
        drain(relay, store)
        events = logged(broker)
        assert len(events) == total
        assert first_appearances(events) == committed(store)
        assert Counter(e.partitionkey for e in events) == Counter({k: 4 for k in committed(store)})

    def test_a_crash_between_publish_and_mark_loses_nothing_and_groups_apply_each_event_once(
        self, store: Store, broker: Broker
    ) -> None:
        total = commit_rounds(store, orders(50), rounds=6)
        crashing = Relay(
            store, cast(Broker, CrashAfterPublish(broker)), batch_size=120, leases=LeaseKeeper(store, ttl_s=1)
        )
        try:
            crashing.publish_once()
            raise AssertionError("the relay should have crashed")
        except SimulatedCrash:
            pass
        assert backlog(store) == total  # published, never marked; its leases are left to expire

        drain(Relay(store, broker, leases=LeaseKeeper(store, ttl_s=10)), store)
        events = logged(broker)
        assert len(events) == total + 120  # at least once: the crashed batch is in the log twice
        assert first_appearances(events) == committed(store)

        runners = [GroupRunner(store, broker, spec) for spec in groups().values()]
        deadline = time.monotonic() + DEADLINE_S
        while self._applied(store) < (total, 300):
            assert time.monotonic() < deadline, f"groups applied only {self._applied(store)}"
            for runner in runners:
                runner.run_once(0.5)
        for runner in runners:
            runner.drain(0.5)
            runner.consumer.close()
        assert self._applied(store) == (total, 300)
        with store.transaction() as conn:
            assert conn.execute(select(func.count(func.distinct(audit_log.c.event_id)))).scalar_one() == total
            audit = conn.execute(
                select(audit_log.c.partition_key, audit_log.c.sequence).order_by(audit_log.c.id)
            ).all()
            views = conn.execute(select(order_view.c.events_applied, order_view.c.last_sequence)).all()
        applied_order: dict[str, list[int]] = {}
        for key, seq in audit:
            applied_order.setdefault(key, []).append(seq)
        assert all(seqs == [1, 2, 3, 4, 5, 6] for seqs in applied_order.values())  # commit order per key
        assert len(views) == 50 and set(views) == {(6, 6)}

    @staticmethod
    def _applied(store: Store) -> tuple[int, int]:
        with store.transaction() as conn:
            audited = conn.execute(select(func.count()).select_from(audit_log)).scalar_one()
            views = select(func.coalesce(func.sum(order_view.c.events_applied), 0))
            viewed = conn.execute(views).scalar_one()
        return int(audited), int(viewed)

    def test_a_crash_mid_stream_leaves_only_the_unmarked_batch_to_publish_again(
        self, store: Store, broker: Broker
    ) -> None:
        total = commit_rounds(store, orders(50), rounds=6)
        crashing = CrashOnPublish(broker, nth=3)
        relay = Relay(store, cast(Broker, crashing), batch_size=50, leases=LeaseKeeper(store, ttl_s=1))
        try:
            relay.drain()
            raise AssertionError("the relay should have crashed")
        except SimulatedCrash:
            pass
        # Batches 1 and 2 were marked (each while its successor was with the broker), never batch 3:
        # it was not acked when the relay died. Nothing read ahead was published.
        assert backlog(store) == total - 100
        assert len(logged(broker)) == 150

        drain(Relay(store, broker, leases=LeaseKeeper(store, ttl_s=10)), store)
        events = logged(broker)
        assert len(events) == total + 50  # batch 3 twice: at least once
        assert first_appearances(events) == committed(store)

    def test_a_refused_batch_stops_the_stream_before_the_batch_read_behind_it(
        self, store: Store, broker: Broker
    ) -> None:
        total = commit_rounds(store, orders(50), rounds=6)
        refusing = RefuseOnPublish(broker, nth=2)
        relay = Relay(store, cast(Broker, refusing), batch_size=50, leases=LeaseKeeper(store, ttl_s=10))
        try:
            relay.drain()
            raise AssertionError("the refusal should have surfaced")
        except PublishError:
            pass
        # Batch 3 had been read while batch 2 was with the broker; it must not follow a refused batch.
        assert refusing.calls == 2
        assert len(logged(broker)) == 50
        assert backlog(store) == total - 50

        relay.drain()  # the same relay, the broker accepting again: batch 2 onwards, in order
        events = logged(broker)
        assert len(events) == total
        assert first_appearances(events) == committed(store)

    def test_a_relay_whose_leases_were_taken_over_mid_stream_marks_nothing(
        self, store: Store, broker: Broker
    ) -> None:
        total = commit_rounds(store, orders(50), rounds=6)
        victim = LeaseKeeper(store, ttl_s=30, owner="victim")
        thief = LeaseKeeper(store, ttl_s=30, owner="thief")
        takeover = TakeoverDuringPublish(broker, store, victim, thief)
        relay = Relay(store, cast(Broker, takeover), batch_size=50, leases=victim)
        assert relay.stream() == 0
        # The batch read ahead under the old grant may still go out (the victim cannot know before it
        # asks the database), but the fencing check at the first mark stops the stream: nothing marked.
        assert backlog(store) == total
        assert takeover.calls <= 2 and len(logged(broker)) == 50 * takeover.calls
        assert victim.held() == {}

        drain(Relay(store, broker, batch_size=50, leases=thief), store)
        events = logged(broker)
        assert len({e.id for e in events}) == total
        assert first_appearances(events) == committed(store)

    def test_two_relays_at_once_keep_per_key_order(self, store: Store, broker: Broker) -> None:
        keys, stop = orders(300), threading.Event()
        first, second = Counting(broker), Counting(broker)
        relays = [
            Relay(store, cast(Broker, counting), batch_size=50, leases=LeaseKeeper(store, ttl_s=2))
            for counting in (first, second)
        ]
        threads = [threading.Thread(target=r.run, args=(stop, Wakeup(0.02)), daemon=True) for r in relays]
        threads[0].start()
        total = commit_rounds(store, keys, rounds=2, per_tx=40)
        threads[1].start()  # joins while events flow: shards move from the first relay to it
        total += commit_rounds(store, keys, rounds=1, per_tx=40, run="joining")
        deadline = time.monotonic() + DEADLINE_S
        while not all(r.leases and r.leases.held() for r in relays):
            assert time.monotonic() < deadline, "the second relay never got a share of the shards"
            time.sleep(0.05)
        total += commit_rounds(store, keys, rounds=3, per_tx=40, run="shared")
        while backlog(store):
            assert time.monotonic() < deadline, f"backlog {backlog(store)}"
            time.sleep(0.1)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        for relay in relays:
            assert relay.leases is not None
            relay.leases.release()

        events = logged(broker)
        assert first_appearances(events) == committed(store)
        assert len({e.id for e in events}) == total == len(keys) * 6
        assert first.published > 0 and second.published > 0  # both relays did publish


class TestSqliteEmbeddedRelay(SqliteStack, EmbeddedStack, RelayContract):
    pass


class TestPostgresEmbeddedRelay(PostgresStack, EmbeddedStack, RelayContract):
    pass


class TestSqliteKafkaRelay(SqliteStack, KafkaStack, RelayContract):
    pass


class TestPostgresKafkaRelay(PostgresStack, KafkaStack, RelayContract):
    pass
