"""The read models from the command line: `hub view orders|audit|inventory`, and `hub groups` with each
group's committed records, lag and last error, on the embedded log and on Kafka."""

from __future__ import annotations

import json
import signal
import uuid
from pathlib import Path

import pytest

from hub.clock import utcnow
from hub.intake.delivery import Delivery
from hub.jsonio import loads
from hub.project import Project
from hub.store import Store
from tests.faults.harness import HubProcess
from tests.infra import KafkaNode
from tests.support.hubproc import HubCli, hub_env, wait_for
from tests.support.orders import accept_all, deliveries, intake
from tests.support.paths import REPO, sample

ORDERS, STEPS = 3, 2


def accept(home: Path, steps: tuple[int, int] = (0, STEPS), stock: bool = False) -> None:
    store = Store(f"sqlite:///{home / 'hub.db'}")
    store.migrate()
    try:
        items = list(deliveries(ORDERS, steps[1], first_step=steps[0], run=f"r{steps[0]}"))
        if stock:  # Amazon's FBA stock in two marketplaces: two levels of one SKU
            body = sample("amazon", "notification-FBA_INVENTORY_AVAILABILITY_CHANGES.json").read_bytes()
            items.append(Delivery("amazon", body, loads(body), "fba-1", utcnow()))
        accept_all(intake(store, Project.load(REPO, ["tiktok", "amazon"])), iter(items))
    finally:
        store.dispose()


def test_hub_view_shows_orders_audit_and_inventory(home: Path, cli: HubCli) -> None:
    accept(home, stock=True)
    cli.run("relay", "--once")
    cli.run("consume", "audit", "--once")
    cli.run("consume", "order-view", "--once")

    orders = cli.run("view", "orders").stdout.splitlines()
    assert orders[0].split()[:4] == ["channel", "order_id", "last_event_type", "channel_status"]
    assert len(orders) == 1 + ORDERS and all(line.startswith("tiktok") for line in orders[1:])
    audit = [json.loads(line) for line in cli.run("view", "audit", "--json").stdout.splitlines()]
    assert len(audit) == ORDERS * STEPS + 2
    assert {a["event_type"] for a in audit} == {"OrderPlaced", "OrderPaid", "InventoryAdjusted"}
    assert len(cli.run("view", "audit", "--limit", "2").stdout.splitlines()) == 3  # header and two rows
    inventory = cli.run("view", "inventory").stdout
    assert "SELLERSKU-1" in inventory and " 50 " in f"{inventory} " and " 40 " in f"{inventory} "
    assert cli.run("view", "nosuch", check=False).returncode == 2


def groups(cli: HubCli) -> dict[str, dict[str, object]]:
    found = [json.loads(line) for line in cli.run("groups", "--json").stdout.splitlines()]
    return {g["name"]: g for g in found}


@pytest.mark.parametrize("broker", ["embedded", "kafka"])
def test_hub_groups_shows_committed_lag_and_the_last_error(
    broker: str, home: Path, request: pytest.FixtureRequest
) -> None:
    extra = {"HUB_CONSUMER_MODULES": "tests.support.custom_groups"}
    if broker == "kafka":
        kafka: KafkaNode = request.getfixturevalue("kafka")
        extra |= {"HUB_BROKER_URL": kafka.url, "HUB_TOPIC_PREFIX": f"g{uuid.uuid4().hex[:8]}."}
    env = hub_env(home, **extra)
    cli = HubCli(env)
    accept(home)
    published = cli.run("relay", "--once")
    consumed = cli.run("consume", "order-view", "--once")
    before = groups(cli)
    assert (before["order-view"]["committed"], before["order-view"]["lag"]) == (ORDERS * STEPS, 0), (
        published.stdout + consumed.stdout + consumed.stderr
    )
    assert (before["audit"]["committed"], before["audit"]["lag"]) == (0, ORDERS * STEPS)
    assert before["order-view"]["error"] is None

    accept(home, steps=(STEPS, STEPS + 1))  # one more step per order
    cli.run("relay", "--once")
    assert groups(cli)["order-view"]["lag"] == ORDERS

    failing = HubProcess(env, ["consume", "test-failing"], home / "failing.log").start()
    try:
        wait_for(lambda: groups(cli)["test-failing"]["error"], timeout=60, message="the error recorded")
    finally:
        assert failing.signal(signal.SIGTERM) == 0
    state = groups(cli)["test-failing"]
    assert "RuntimeError: cannot apply Order" in str(state["error"]) and state["failed_at"]
    # What it read past is settled: its failures kept as dead letters, each key parked behind its first.
    assert state["committed"] + state["lag"] == ORDERS * (STEPS + 1)
    table = cli.run("groups").stdout
    assert "test-failing" in table and "RuntimeError: cannot apply Order" in table
