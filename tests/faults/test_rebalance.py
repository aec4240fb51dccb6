"""A consumer group rebalanced while it consumes: a second `hub consume` member joins, the first leaves
(Ctrl-C), a third joins, and the second crashes (SIGKILL: its partitions move once its session expires)."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator

import pytest
from kafka.admin import KafkaAdminClient
from sqlalchemy import func, select

from hub.store.tables import audit_log
from tests.faults.harness import FaultStack, Feeder, assert_all_ok
from tests.infra import KafkaNode
from tests.support.orders import deliveries

ORDERS, STEPS = 300, 12

pytestmark = pytest.mark.slow


@pytest.fixture
def admin(kafka: KafkaNode) -> Iterator[KafkaAdminClient]:
    client = KafkaAdminClient(bootstrap_servers=kafka.bootstrap)
    yield client
    client.close()


def members(admin: KafkaAdminClient, group: str) -> list[set[int]]:
    """The `orders` partitions of each member of a stable group; [] while it rebalances."""
    described = admin.describe_groups([group])[group]
    if described["group_state"] != "Stable":
        return []
    return [
        {
            p
            for a in m["member_assignment"]["assigned_partitions"]
            if a["topic"].endswith("orders")
            for p in a["partitions"]
        }
        for m in described["members"]
    ]


def wait_for(what: str, condition: Callable[[], bool], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def test_group_rebalanced_while_consuming_applies_each_event_once_in_order(
    stack: FaultStack, admin: KafkaAdminClient
) -> None:
    group = stack.prefix + "audit"

    def applied() -> int:
        with stack.store.transaction() as conn:
            return int(conn.execute(select(func.count()).select_from(audit_log)).scalar_one())

    def split_between(count: int) -> Callable[[], bool]:
        def check() -> bool:
            held = members(admin, group)
            return len(held) == count and all(held) and set().union(*held) == {0, 1, 2, 3}

        return check

    live: list[bool] = []  # at each change of membership: were webhooks still arriving?

    def note_stream() -> None:
        live.append(not feeder.done.is_set())

    # A backlog at the start (the first member is still catching up when the second joins), then a
    # steady stream through every change of membership.
    backlog = Feeder(stack.store, deliveries(ORDERS, 4), batch=200)
    backlog.run()
    feeder = Feeder(stack.store, deliveries(ORDERS, STEPS, first_step=4), batch=50, pause_s=0.5)
    feeder.start()
    stack.hub("relay")
    stack.hub("consume", "order-view")
    first = stack.hub("consume", "audit")
    wait_for("the first member to apply events", lambda: applied() >= 300)

    note_stream()
    second = stack.hub("consume", "audit")
    wait_for("two members sharing the partitions", split_between(2))
    progress = applied()
    wait_for("progress with two members", lambda: applied() >= progress + 200)

    note_stream()
    assert first.signal(signal.SIGINT) == 0  # leaves the group on its way out
    wait_for("the second member alone", split_between(1))
    note_stream()
    third = stack.hub("consume", "audit")
    wait_for("two members again", split_between(2))

    note_stream()
    assert second.kill() == -signal.SIGKILL  # no goodbye: the group notices when its session expires
    wait_for("the third member alone", split_between(1), timeout_s=90)
    feeder.finish()
    reports = stack.check()

    assert live == [True] * 4, f"the stream ended before a membership change ({live}); slow the feeder"
    assert third.running()
    assert_all_ok(reports, stack)
    assert reports[0].committed == ORDERS * STEPS and reports[0].keys == ORDERS
