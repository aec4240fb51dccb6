"""The relay SIGKILLed: at the worst point (after the broker's ack, before marking), and at random moments
of a running `hub relay` while webhooks keep arriving."""

from __future__ import annotations

import random
import time

import pytest

from hub.events import TOPICS
from tests.faults.harness import FaultStack, Feeder, assert_all_ok
from tests.support.orders import deliveries

ORDERS, STEPS = 300, 12  # 3,600 events over 300 keys

pytestmark = pytest.mark.slow


def test_relay_killed_between_ack_and_mark_republishes_and_nothing_applies_twice(stack: FaultStack) -> None:
    feeder = Feeder(stack.store, deliveries(ORDERS, STEPS), batch=200)
    feeder.run()
    feeder.finish()
    stack.consumers()

    killed = stack.hub("relay", HUB_FAULTS="relay.after_publish")
    assert killed.process is not None and killed.process.wait(120) == -9
    assert stack.published() == 0
    first_batch = len(list(stack.broker.read(TOPICS)))
    assert first_batch == 1000  # in the log and seen by consumers, but not marked published

    stack.hub("relay")
    reports = stack.check()

    assert_all_ok(reports, stack)
    assert reports[0].committed == ORDERS * STEPS and reports[0].keys == ORDERS
    # The killed batch is in the log twice (at least once), and still applied once by each group.
    assert len(list(stack.broker.read(TOPICS))) == ORDERS * STEPS + first_batch


def test_relay_killed_at_random_moments_while_webhooks_arrive(stack: FaultStack) -> None:
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    feeder = Feeder(stack.store, deliveries(ORDERS, STEPS), batch=50, pause_s=0.25)
    feeder.start()
    stack.consumers()

    kills = 0
    while kills < 4 and not feeder.done.is_set():
        relay = stack.hub("relay")
        before = stack.published()
        deadline = time.monotonic() + 30
        while stack.published() == before and time.monotonic() < deadline:
            time.sleep(0.05)  # until this relay is publishing
        time.sleep(rng.uniform(0, 0.4))
        assert relay.kill() == -9
        kills += 1
    stack.hub("relay")
    feeder.finish()
    reports = stack.check()

    assert kills >= 3, f"the feeder finished after {kills} kill(s); slow it down (seed {seed})"
    assert_all_ok(reports, stack)
    assert reports[0].committed == ORDERS * STEPS and reports[0].keys == ORDERS
