"""Shopify and WooCommerce, added as a user would (examples/platforms): they say what a delivery is only in
headers, WooCommerce pings an unsigned form body when a webhook is saved, and their recorded deliveries and
list answers map like their bodies."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.db import table_counts
from tests.support.hubproc import HubCli, HubServer, hub_env, wait_for
from tests.support.paths import REPO

PROJECT = REPO / "examples" / "platforms"
SECRETS = {"SHOPIFY_WEBHOOK_SECRET": "test-shopify-secret", "WOOCOMMERCE_WEBHOOK_SECRET": "test-woo-secret"}


def recorded(connector: str, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PROJECT / "connectors" / connector / "samples" / name).read_text())
    return data


def signature(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


@pytest.fixture
def platform_cli(home: Path) -> HubCli:
    return HubCli(hub_env(home, PROJECT, **SECRETS))


def test_the_example_project_lints_and_its_golden_cases_pass(platform_cli: HubCli) -> None:
    assert "no problems" in platform_cli.run("lint").stdout
    out = platform_cli.run("test").stdout
    assert out.strip().endswith("0 failed")
    catalog = platform_cli.run("catalog", "woocommerce", check=False).stdout
    assert "webhook order.created" in catalog and "route order" in catalog


def test_a_recorded_list_answer_maps_every_order(platform_cli: HubCli) -> None:
    file = PROJECT / "connectors" / "woocommerce" / "samples" / "orders-list-response.json"
    out = platform_cli.run("map", "woocommerce", str(file)).stdout
    assert '"key": "woocommerce:727"' in out and '"key": "woocommerce:723"' in out


def events(cli: HubCli) -> list[dict[str, Any]]:
    out = cli.run("events", "--json").stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_headers_route_and_identify_deliveries_and_the_ping_is_answered_not_stored(home: Path) -> None:
    env = hub_env(home, PROJECT, **SECRETS)
    cli = HubCli(env)
    with HubServer(env) as server:
        # WooCommerce's "webhook saved" ping: unsigned form body, answered 200, stored nowhere.
        ping = httpx.post(
            f"{server.url}/webhooks/woocommerce",
            content=b"webhook_id=3",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert ping.status_code == 200
        assert table_counts(home / "hub.db")["inbox"] == 0
        # The same body as JSON, or a form body that is not the ping, still needs a signature.
        other = httpx.post(
            f"{server.url}/webhooks/woocommerce",
            content=b"webhook_id=3&x=1",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert other.status_code == 401

        woo = recorded("woocommerce", "webhook-order-created.recorded.json")
        body = json.dumps(woo["body"]).encode()
        headers = {k: v for k, v in woo["headers"].items() if k != "X-WC-Webhook-Signature"}
        headers["X-WC-Webhook-Signature"] = signature(SECRETS["WOOCOMMERCE_WEBHOOK_SECRET"], body)
        first = httpx.post(f"{server.url}/webhooks/woocommerce", content=body, headers=headers)
        assert first.status_code == 200, first.text
        assert first.json()["status"] == "accepted"
        again = httpx.post(f"{server.url}/webhooks/woocommerce", content=body, headers=headers)
        assert again.json()["status"] == "duplicate"  # the same X-WC-Webhook-Delivery-ID

        shop = recorded("shopify", "webhook-orders-create.recorded.json")
        body = json.dumps(shop["body"]).encode()
        headers = dict(
            shop["headers"], **{"X-Shopify-Hmac-Sha256": signature(SECRETS["SHOPIFY_WEBHOOK_SECRET"], body)}
        )
        assert httpx.post(f"{server.url}/webhooks/shopify", content=body, headers=headers).status_code == 200
        # A topic the catalog ignores is answered and stored, and gives nothing.
        deleted = dict(headers, **{"X-Shopify-Topic": "orders/delete", "X-Shopify-Webhook-Id": "other-id"})
        reply = httpx.post(f"{server.url}/webhooks/shopify", content=body, headers=deleted)
        assert reply.json()["status"] == "ignored"

        published = wait_for(lambda: len(events(cli)) >= 2 and events(cli), message="both orders in the log")
    by_key = {e["partitionkey"]: e for e in published}
    assert by_key["woocommerce:727"]["data"]["account"] == "https://www.website.com/"
    assert by_key["woocommerce:727"]["type"] == "OrderPaid"
    assert by_key["shopify:450789469"]["data"]["account"] == "johns-apparel.myshopify.com"
    assert by_key["shopify:450789469"]["data"]["total"] == {"amount": "409.94", "currency": "USD"}
    assert len(published) == 2
