"""The order state machine inside the intake transaction, on SQLite and PostgreSQL: an applied update
writes the order's state and its event together; a duplicate or stale one is recorded and emits nothing;
an illegal one is quarantined with its reason. What `hub orders` shows of it."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hub.commerce.orders import show_order
from hub.intake.service import IntakeService
from hub.store import Store
from hub.store.tables import outbox, quarantine
from tests.contract.stacks import postgres_store, sqlite_store
from tests.domain.support import PROJECT, accept, case_input, delivery
from tests.infra import PostgresServer
from tests.support.hubproc import HubCli
from tests.support.paths import sample

TIKTOK = json.loads(sample("tiktok", "webhook-1-ORDER_STATUS_CHANGE.json").read_text())
ORDER = TIKTOK["data"]["order_id"]
T = TIKTOK["data"]["update_time"]


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        s = sqlite_store(tmp_path)
    else:
        server: PostgresServer = request.getfixturevalue("postgres")
        s = postgres_store(server)
    yield s
    s.dispose()


def tiktok(status: str, at: int) -> dict[str, Any]:
    payload = copy.deepcopy(TIKTOK)
    payload["data"].update(order_status=status, update_time=at)
    return payload


def events_of(store: Store, key: str) -> list[str]:
    with store.transaction() as conn:
        rows = conn.execute(
            select(outbox.c.event_type).where(outbox.c.partition_key == key).order_by(outbox.c.sequence)
        )
        return [r for (r,) in rows]


def test_tiktok_status_changes_through_the_state_machine(store: Store) -> None:
    service = IntakeService(PROJECT, store)
    steps = [
        (tiktok("UNPAID", T), "accepted", 1),
        (tiktok("AWAITING_SHIPMENT", T + 60), "accepted", 1),
        (tiktok("ON_HOLD", T + 90), "accepted", 0),  # "paid" again: changes nothing
        (tiktok("AWAITING_SHIPMENT", T + 60), "accepted", 0),  # the same update under a new notification id
        (tiktok("UNPAID", T - 100), "accepted", 0),  # older than what was applied
        (tiktok("IN_TRANSIT", T + 300), "accepted", 1),
        (tiktok("UNPAID", T + 400), "quarantined", 0),  # back to unpaid after shipping
    ]
    receipts = [accept(service, delivery("tiktok", p, account=p["shop_id"])) for p, _, _ in steps]
    assert [(r.status, r.events) for r in receipts] == [(s, n) for _, s, n in steps]
    assert "cannot go back to placed" in (receipts[-1].reason or "")

    assert events_of(store, f"tiktok:{ORDER}") == ["OrderPlaced", "OrderPaid", "OrderShipped"]
    order = show_order(store, "tiktok", ORDER)
    assert order is not None and order["state"] == "shipped"
    assert [h["outcome"] for h in order["history"]] == [
        "applied", "applied", "duplicate", "duplicate", "stale", "applied", "refused",
    ]  # fmt: skip
    assert all(h["source"].startswith("tiktok/test-") and h["inbox_id"] for h in order["history"])
    applied = [h["event_id"] for h in order["history"] if h["outcome"] == "applied"]
    assert len(set(applied)) == 3 and None not in applied
    with store.transaction() as conn:
        reasons = [r for (r,) in conn.execute(select(quarantine.c.reason))]
    assert len(reasons) == 1 and reasons[0].startswith(f"order tiktok:{ORDER}: OrderPlaced")


def test_a_walmart_pull_seen_twice_emits_once_and_a_late_cancellation_of_a_shipped_line_is_refused(
    store: Store,
) -> None:
    service = IntakeService(PROJECT, store)
    snapshot, route = case_input("walmart/order::shipped_with_a_listed_carrier")
    first = accept(service, delivery("walmart", snapshot, route=route))
    again = accept(service, delivery("walmart", snapshot, route=route))
    assert first.status == "accepted" and first.events >= 2
    assert (again.status, again.events) == ("accepted", 0)

    order_id = snapshot["purchaseOrderId"]
    line = snapshot["orderLines"]["orderLine"][0]
    line["orderLineStatuses"]["orderLineStatus"][0]["status"] = "Cancelled"
    line["statusDate"] = (
        line["orderLineStatuses"]["orderLineStatus"][0]["trackingInfo"]["shipDateTime"] + 86_400_000
    )
    late = accept(service, delivery("walmart", snapshot, route=route))
    assert late.status == "quarantined"
    assert "can no longer be cancelled" in (late.reason or "")
    order = show_order(store, "walmart", order_id)
    assert order is not None and order["state"] == "shipped"
    assert [h["outcome"] for h in order["history"]][-1] == "refused"


def test_hub_orders_ls_and_show(tmp_path: Path, cli: HubCli, home: Path) -> None:
    store = Store(f"sqlite:///{home}/hub.db")
    store.migrate()
    service = IntakeService(PROJECT, store)
    for payload in (tiktok("UNPAID", T), tiktok("IN_TRANSIT", T + 60), tiktok("UNPAID", T - 5)):
        accept(service, delivery("tiktok", payload, account=payload["shop_id"]))
    store.dispose()

    listed = cli.run("orders", "ls", "--state", "shipped").stdout
    assert ORDER in listed and "shipped" in listed
    assert cli.run("orders", "ls", "--state", "cancelled").stdout.strip() == "no orders"
    shown = json.loads(cli.run("orders", "show", "tiktok", ORDER, "--json").stdout)
    assert shown["state"] == "shipped"
    assert [(h["event_type"], h["outcome"]) for h in shown["history"]] == [
        ("OrderPlaced", "applied"),
        ("OrderShipped", "applied"),
        ("OrderPlaced", "stale"),
    ]
    text = cli.run("orders", "show", "tiktok", ORDER).stdout
    assert "stale" in text and "older" in text
    missing = cli.run("orders", "show", "tiktok", "nope", check=False)
    assert missing.returncode == 1 and "no order tiktok nope" in missing.stderr
