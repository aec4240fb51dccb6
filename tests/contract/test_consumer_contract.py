"""The consumer-group contract: GroupRunner applies each event once per group, in per-key order, over every
store and broker. Events come from the real intake and relay, so they are real outbox rows. What a group
does with an event it cannot apply: test_deadletter_contract.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hub.broker.port import Broker, Message
from hub.consumers.discovery import groups
from hub.consumers.runner import GroupRunner
from hub.relay import Relay
from hub.store import Store
from tests.contract.stacks import EmbeddedStack, KafkaStack, PostgresStack, SqliteStack
from tests.faults.checker import check_audit, check_order_view
from tests.support.orders import accept_all, deliveries, intake

ORDERS, STEPS = 12, 5  # 60 events over 12 keys


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


class TestSqliteEmbedded(SqliteStack, EmbeddedStack, ConsumerContract):
    pass


class TestSqliteKafka(SqliteStack, KafkaStack, ConsumerContract):
    pass


class TestPostgresEmbedded(PostgresStack, EmbeddedStack, ConsumerContract):
    pass


class TestPostgresKafka(PostgresStack, KafkaStack, ConsumerContract):
    pass
