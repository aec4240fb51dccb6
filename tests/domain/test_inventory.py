"""Inventory through the real intake: the web shop's own stock events, marketplace levels that go
negative, sales, cancellations and returns of marketplace orders moving the merchant's stock, a
marketplace's item ids joined to the merchant's SKUs, `hub inventory adjust/show`, and reservations
refused while a SKU that reached zero has not been told to every channel."""

from __future__ import annotations

import base64
import copy
import dataclasses
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hub.clock import utcnow
from hub.commerce import reservations
from hub.domain.policy import ChannelSpec, InventoryPolicy
from hub.intake.service import IntakeService
from hub.project import Project
from hub.store import Store
from hub.store.stock import Stock
from hub.store.tables import outbox
from tests.contract.stacks import sqlite_store
from tests.domain.support import PROJECT, accept, case_input, delivery
from tests.support.hubproc import HubCli, HubServer, hub_env
from tests.support.paths import sample
from tests.support.secrets import BUNDLED_SECRETS

POLICY = InventoryPolicy(
    locations=["main"],
    sales_location="main",
    channels={"walmart": ChannelSpec(buffer=1), "tiktok": ChannelSpec(), "webshop": ChannelSpec(push=False)},
    items={"tiktok": {"red_iphone_256": "IPHONE-RED", "Color-Red-XM01": "IPHONE-RED"}},
)


def project_with(policy: InventoryPolicy) -> Project:
    return dataclasses.replace(PROJECT, inventory=policy)


@pytest.fixture
def store(tmp_path: Path) -> Any:
    s = sqlite_store(tmp_path)
    yield s
    s.dispose()


def inventory_events(store: Store, sku: str) -> list[dict[str, Any]]:
    with store.transaction() as conn:
        rows = conn.execute(
            select(outbox.c.event_type, outbox.c.payload)
            .where(outbox.c.partition_key == sku)
            .order_by(outbox.c.sequence)
        )
        return [{"type": t, **json.loads(p)} for t, p in rows]


def webshop(kind: str, sku: str, **fields: Any) -> dict[str, Any]:
    name = "stock-adjusted-receipt.json" if kind == "stock.adjusted" else "stock-counted.json"
    payload: dict[str, Any] = json.loads(sample("webshop", name).read_text())
    payload.update(sku=sku, **fields)
    return payload


def test_the_web_shops_stock_events_and_a_negative_level_are_positions(store: Store) -> None:
    service = IntakeService(project_with(POLICY), store)
    assert accept(service, delivery("webshop", webshop("stock.adjusted", "MUG", delta=24))).events == 1
    counted = accept(service, delivery("webshop", webshop("stock.counted", "MUG", on_hand=-3)))
    assert (counted.status, counted.events) == ("accepted", 1)  # oversold: kept, not quarantined
    assert [
        (e["reason"], e["delta"], e["on_hand"], e["version"]) for e in inventory_events(store, "MUG")
    ] == [
        ("receipt", 24, 24, 1),
        ("correction", -27, -3, 2),
    ]
    snapshot, route = case_input("walmart/inventory::one_level_per_ship_node")
    snapshot["nodes"][0]["availToSellQty"]["amount"] = -3
    walmart = accept(service, delivery("walmart", snapshot, route=route, account="10000682332"))
    assert (walmart.status, walmart.events) == ("accepted", 2)
    with store.read_only() as uow:
        levels = {lv.location: (lv.on_hand, lv.version) for lv in uow.ledger.of_sku(snapshot["sku"])}
    assert levels[snapshot["nodes"][0]["shipNode"]] == (-3, 1)


def test_marketplace_orders_move_stock_and_item_ids_join_the_merchants_sku(store: Store) -> None:
    service = IntakeService(project_with(POLICY), store)
    level, route = case_input("tiktok/inventory::one_level_per_sku_and_warehouse")
    accept(service, delivery("tiktok", level, route=route, account="7494049642642441621"))
    order, order_route = case_input("tiktok/order::awaiting_shipment_is_paid")
    first = accept(service, delivery("tiktok", order, route=order_route))
    again = accept(service, delivery("tiktok", order, route=order_route))
    assert first.status == "accepted" and (again.status, again.events) == ("accepted", 0)
    cancelled = copy.deepcopy(order)
    cancelled.update(status="CANCELLED", update_time=order["update_time"] + 3600)
    accept(service, delivery("tiktok", cancelled, route=order_route))

    events = inventory_events(store, "IPHONE-RED")  # the snapshot's and the order's item ids, joined
    quantity = len(order["line_items"])  # TikTok lists one line item per unit
    assert [(e["reason"], e["location"], e["delta"]) for e in events] == [
        ("snapshot", level["skus"][0]["warehouse_inventory"][0]["warehouse_id"], 100),
        ("sale", "main", -quantity),
        ("cancellation", "main", quantity),
    ]
    assert inventory_events(store, "red_iphone_256") == [] and inventory_events(store, "Color-Red-XM01") == []


def test_a_sale_to_zero_raises_the_barrier_and_reservations_wait_for_every_channel(store: Store) -> None:
    service = IntakeService(project_with(POLICY), store)
    accept(service, delivery("webshop", webshop("stock.adjusted", "IPHONE-RED", delta=1)))
    order, route = case_input("tiktok/order::awaiting_shipment_is_paid")
    accept(service, delivery("tiktok", order, route=route))  # takes the last unit: zero
    accept(service, delivery("webshop", webshop("stock.adjusted", "IPHONE-RED", delta=5)))  # restocked

    with store.unit_of_work() as uow, pytest.raises(reservations.SoldOutBarrier, match="reached zero"):
        reservations.reserve(uow, POLICY, "saga-1", {"IPHONE-RED": 1}, utcnow())
    with store.unit_of_work() as uow:
        assert uow.get(Stock).barriers(["IPHONE-RED"]) == {"IPHONE-RED": 2}
        # Told at the version that reached zero or later by every pushed channel: the barrier goes.
        assert not uow.get(Stock).lower_barrier("IPHONE-RED", 1)
        assert uow.get(Stock).lower_barrier("IPHONE-RED", 3)
        with pytest.raises(reservations.OutOfStock, match="6 wanted, 5 available"):
            reservations.reserve(uow, POLICY, "saga-1", {"IPHONE-RED": 6}, utcnow())
        reservations.reserve(uow, POLICY, "saga-1", {"IPHONE-RED": 5}, utcnow())
        uow.commit()
    with store.unit_of_work() as uow, pytest.raises(reservations.SoldOutBarrier):
        reservations.reserve(uow, POLICY, "saga-2", {"IPHONE-RED": 1}, utcnow())  # reserved to zero
    with store.unit_of_work() as uow:
        reservations.reserve(uow, POLICY, "saga-1", {"IPHONE-RED": 5}, utcnow())  # again: nothing new
        assert reservations.end(uow, POLICY, "saga-1", "released", utcnow()) == 1
        assert reservations.end(uow, POLICY, "saga-1", "released", utcnow()) == 0
        uow.commit()
    events = inventory_events(store, "IPHONE-RED")
    assert [(e["type"], e.get("change"), e.get("reserved")) for e in events[-2:]] == [
        ("InventoryReservationChanged", "reserved", 5),
        ("InventoryReservationChanged", "released", 0),
    ]


def test_hub_inventory_adjust_and_show(cli: HubCli) -> None:
    out = cli.run(
        "inventory", "adjust", "MUG-BLUE", "--location", "main", "--delta", "24", "--reason", "receipt"
    )
    assert out.stdout.strip() == "MUG-BLUE@main: +24 -> 24 on hand (version 1, receipt)"
    out = cli.run(
        "inventory", "adjust", "MUG-BLUE", "--location", "main", "--on-hand", "20", "--reason", "manual"
    )
    assert "-4 -> 20 on hand (version 2, manual)" in out.stdout
    same = cli.run(
        "inventory", "adjust", "MUG-BLUE", "--location", "main", "--on-hand", "20", "--reason", "manual"
    )
    assert "nothing recorded" in same.stdout
    both = cli.run(
        "inventory", "adjust", "MUG-BLUE", "--location", "main", "--on-hand", "1", "--delta", "1",
        "--reason", "manual", check=False,
    )  # fmt: skip
    assert both.returncode == 2 and "exactly one of --delta and --on-hand" in both.stderr

    shown = json.loads(cli.run("inventory", "show", "MUG-BLUE", "--json").stdout)
    assert [(lv["location"], lv["on_hand"], lv["version"]) for lv in shown["levels"]] == [("main", 20, 2)]
    assert shown["position"] == 20  # the repository's inventory.yaml: main, no safety stock
    channels = {c["channel"]: c["available_now"] for c in shown["channels"]}
    assert channels == {"webshop": 20, "amazon": 18, "walmart": 19, "tiktok": 20}


def test_the_web_shop_signs_its_stock_events(tmp_path: Path, home: Path) -> None:
    """The web shop's intake over HTTP: signed, accepted, in the ledger; unsigned, refused."""
    server = HubServer(hub_env(home), verb="receiver").start()
    try:
        body = json.dumps(webshop("stock.adjusted", "TEAPOT-1L", delta=6)).encode()
        secret = BUNDLED_SECRETS["WEBSHOP_WEBHOOK_SECRET"].encode()
        signature = base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode()
        import httpx

        ok = httpx.post(
            f"{server.url}/webhooks/webshop", content=body, headers={"X-Webshop-Signature": signature}
        )
        bad = httpx.post(f"{server.url}/webhooks/webshop", content=body, headers={"X-Webshop-Signature": "x"})
    finally:
        server.stop()
    assert ok.status_code == 200 and ok.json()["events"] == 1
    assert bad.status_code == 401
    shown = HubCli(hub_env(home)).run("inventory", "show", "TEAPOT-1L", "--json").stdout
    assert json.loads(shown)["levels"][0]["on_hand"] == 6
