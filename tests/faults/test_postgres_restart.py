"""PostgreSQL restarted (immediate mode: no shutdown checkpoint, crash recovery on start) while webhooks
arrive, the relay publishes and both consumer groups apply."""

from __future__ import annotations

import pytest

from tests.faults.harness import FaultStack, Feeder, assert_all_ok
from tests.infra import PostgresServer
from tests.support.orders import deliveries

ORDERS, STEPS = 300, 12

pytestmark = pytest.mark.slow


def test_postgres_restarted_mid_stream(stack: FaultStack, durable_postgres: PostgresServer) -> None:
    feeder = Feeder(stack.store, deliveries(ORDERS, STEPS), batch=50, pause_s=0.05)
    feeder.start()
    consumers = stack.consumers()
    relay = stack.hub("relay")
    stack.wait_published(600)

    durable_postgres.restart(mode="immediate")
    feeder.finish()
    reports = stack.check()

    assert feeder.failures > 0  # the intake did see the database go away, and offered those again
    assert relay.running() and all(c.running() for c in consumers)
    assert_all_ok(reports, stack)
    assert reports[0].committed == ORDERS * STEPS and reports[0].keys == ORDERS
