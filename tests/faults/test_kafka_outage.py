"""Kafka stopped for 10 s while the relay publishes and webhooks keep arriving."""

from __future__ import annotations

import logging
import time

import pytest

from tests.faults.harness import FaultStack, Feeder, assert_all_ok
from tests.infra import KafkaNode
from tests.support.orders import deliveries

ORDERS, STEPS = 300, 12

pytestmark = pytest.mark.slow
log = logging.getLogger(__name__)


def test_kafka_stopped_for_ten_seconds_while_the_relay_runs(stack: FaultStack, kafka: KafkaNode) -> None:
    feeder = Feeder(stack.store, deliveries(ORDERS, STEPS), batch=50, pause_s=0.1)
    feeder.start()
    consumers = stack.consumers()
    relay = stack.hub("relay")
    stack.wait_published(600)

    log.warning("stopping Kafka")
    kafka.stop()
    log.warning("Kafka stopped")
    try:
        time.sleep(5)
        stalled = stack.published()
        time.sleep(5)
        during = stack.published()
    finally:
        kafka.start()
    log.warning("Kafka started")
    restarted = time.monotonic()
    feeder.finish()
    reports = stack.check()
    log.warning("caught up %.1f s after Kafka restarted", time.monotonic() - restarted)

    assert during == stalled < ORDERS * STEPS  # nothing was marked published while Kafka was away
    assert relay.running() and all(c.running() for c in consumers)  # they rode it out, no restart
    assert_all_ok(reports, stack)
    assert reports[0].committed == ORDERS * STEPS and reports[0].keys == ORDERS
