"""The consumer-group contract: GroupRunner applies each event once per group, in per-key order, over every
store and broker. Events come from the real intake and relay, so they are real outbox rows."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import select

from hub.broker.port import Broker, Message
from hub.clock import utcnow
from hub.consumers.registry import GroupSpec, groups
from hub.consumers.runner import GroupRunner
from hub.events import TOPICS, Event
from hub.relay import Relay
from hub.store import Store, UnitOfWork
from hub.store.tables import outbox
from tests.contract.stacks import EmbeddedStack, KafkaStack, PostgresStack, SqliteStack
from tests.faults.checker import check_audit, check_order_view
from tests.support.orders import accept_all, deliveries, intake, order_key

ORDERS, STEPS = 12, 5  # 60 events over 12 keys


def audit_spec(name: str, fail_on: set[str] | None = None) -> GroupSpec:
    """A group whose effect is an audit_log row under its own name; it fails on the event ids in
    `fail_on` for as long as they stay in that set (a bug, then its fix)."""
    poisoned = fail_on if fail_on is not None else set()

    def handler(event: Event, uow: UnitOfWork) -> None:
        uow.audit_log.record(name, event, utcnow())
        if event.id in poisoned:
            raise RuntimeError(f"handler bug on {event.id}")

    return GroupSpec(name, TOPICS, handler, "test group")


def event_id_of(store: Store, key: str, sequence: int) -> str:
    with store.transaction() as conn:
        return str(
            conn.execute(
                select(outbox.c.event_id).where(
                    (outbox.c.partition_key == key) & (outbox.c.sequence == sequence)
                )
            ).scalar_one()
        )


class ConsumerContract:
    @pytest.fixture
    def published(self, store: Store, broker: Broker) -> int:
        events = accept_all(intake(store), deliveries(ORDERS, STEPS))
        assert Relay(store, broker).drain() == events == ORDERS * STEPS
        return events

    @pytest.fixture
    def runners(self, store: Store, broker: Broker) -> Iterator[list[GroupRunner]]:
        made: list[GroupRunner] = []
        yield made
        for runner in made:
            runner.consumer.close()

    def test_each_group_applies_every_event_once_in_key_order(
        self, store: Store, broker: Broker, published: int, runners: list[GroupRunner]
    ) -> None:
        builtin = groups()
        runners += [GroupRunner(store, broker, builtin[name]) for name in ("audit", "order-view")]
        read = [runner.drain() for runner in runners]

        assert read == [published, published]  # audit reads all topics, order-view only orders
        audit, view = check_audit(store), check_order_view(store)
        assert audit.ok, audit
        assert view.ok, view
        assert audit.committed == view.committed == ORDERS * STEPS

    def test_a_record_delivered_twice_is_applied_once(
        self, store: Store, broker: Broker, published: int, runners: list[GroupRunner]
    ) -> None:
        # What a relay killed after the broker's ack and before marking leaves behind: the log holds
        # some events twice, the second time after later events of the same key.
        again = [Message(r.topic, r.key, r.value, r.headers, r.timestamp_ms) for r in broker.read(["orders"])]
        broker.publish(again[: len(again) // 2])
        runners.append(GroupRunner(store, broker, groups()["audit"]))

        assert runners[0].drain() == published + len(again) // 2
        report = check_audit(store)
        assert report.ok, report

    def test_a_failing_group_holds_only_itself_and_resumes_at_the_failed_event(
        self, store: Store, broker: Broker, published: int, runners: list[GroupRunner]
    ) -> None:
        poisoned = {event_id_of(store, order_key(3), 2)}
        flaky = GroupRunner(store, broker, audit_spec("flaky", fail_on=poisoned))
        steady = GroupRunner(store, broker, audit_spec("steady"))
        runners += [flaky, steady]

        stop = threading.Event()
        worker = threading.Thread(target=flaky.run, args=(stop,), daemon=True)
        worker.start()
        try:
            stuck = wait_for(lambda: check_audit(store, "flaky").lost.get(order_key(3)) == [2, 3, 4, 5])
            time.sleep(1.5)  # a few retries of the failing event
            stuck = check_audit(store, "flaky")
            assert stuck.lost[order_key(3)] == [2, 3, 4, 5]  # retrying the failed event, skipping nothing
            assert not stuck.duplicated and not stuck.reordered

            assert steady.drain() == published  # the other group is not held up
            assert check_audit(store, "steady").ok

            poisoned.clear()  # the fix is deployed
            wait_for(lambda: check_audit(store, "flaky").ok)
        finally:
            stop.set()
            worker.join(timeout=30)
        report = check_audit(store, "flaky")
        assert report.ok, report
        assert report.committed == published


def wait_for(condition: Callable[[], bool], timeout_s: float = 30) -> bool:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)
    return True


class TestSqliteEmbedded(SqliteStack, EmbeddedStack, ConsumerContract):
    pass


class TestSqliteKafka(SqliteStack, KafkaStack, ConsumerContract):
    pass


class TestPostgresEmbedded(PostgresStack, EmbeddedStack, ConsumerContract):
    pass


class TestPostgresKafka(PostgresStack, KafkaStack, ConsumerContract):
    pass
