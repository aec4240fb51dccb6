"""Amazon EventBridge API-destination deliveries over real HTTP: the connection's API key header
authenticates them, the inbox keeps the EventBridge event whole, and its `detail` is mapped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.db import rows, table_counts
from tests.support.hubproc import HubCli, HubServer, hub_env, wait_for
from tests.support.paths import sample
from tests.support.secrets import BUNDLED_SECRETS

API_KEY = BUNDLED_SECRETS["AMAZON_EVENTBRIDGE_API_KEY"]
SOURCE = "aws.partner/sellingpartnerapi.amazon/amzn1.sellerapps.app.f108f511-eeac-46a6-b125-bcb752069ed0"
NOTIFICATION = json.loads(sample("amazon", "notification-LISTINGS_ITEM_STATUS_CHANGE.json").read_text())


def delivery(event_id: str = "6a7e8feb-b491-4cf7-a9f1-bf3703467718") -> bytes:
    """What an API destination POSTs: the EventBridge event with the notification as `detail`."""
    event = {
        "version": "0",
        "id": event_id,
        "detail-type": "LISTINGS_ITEM_STATUS_CHANGE",
        "source": SOURCE,
        "account": "123456789012",
        "time": "2021-02-03T18:59:31Z",
        "region": "us-east-1",
        "resources": [],
        "detail": NOTIFICATION,
    }
    return json.dumps(event).encode()


def post(server: HubServer, body: bytes, key: str | None = API_KEY) -> httpx.Response:
    headers = {"content-type": "application/json"}
    if key is not None:
        headers["x-api-key"] = key
    return httpx.post(f"{server.url}/webhooks/amazon", content=body, headers=headers, timeout=10)


@pytest.fixture
def server(home: Path) -> Any:
    with HubServer(hub_env(home)) as running:
        yield running


def test_a_listing_status_delivery_becomes_listing_status_changed(
    server: HubServer, cli: HubCli, home: Path
) -> None:
    body = delivery()
    response = post(server, body)
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "accepted", "inbox_id": 1, "events": 1}

    out = wait_for(lambda: cli.run("events", "--json").stdout.strip(), message="the event in the log")
    [event] = [json.loads(line) for line in out.splitlines()]
    assert event["type"] == "ListingStatusChanged"
    assert event["source"] == "/connectors/amazon"
    assert event["partitionkey"] == "amazon:NLS-SHOES-03"
    assert event["data"] == {
        "occurred_at": "2021-02-03T18:59:30.194000+00:00",
        "channel": "amazon",
        "account": "A3AYAZLIQ7AX77",
        "listing_id": "BT6RZ7JM4H",
        "sku": "NLS-SHOES-03",
        "marketplace_id": "ATVPDKIKX0DER",
        "status": "active",
        "channel_status": "BUYABLE,DISCOVERABLE",
        "reasons": [],
    }
    # Stored as received (the whole EventBridge event), deduplicated by the notification's own id.
    assert rows(home / "hub.db", "SELECT body, dedupe_key, account FROM inbox") == [
        (body, "8e009934-da2c-4f9c-9bc7-93f23b7e1f60", "A3AYAZLIQ7AX77")
    ]

    # EventBridge retries with the same event; a second subscription re-sends the same notification.
    assert post(server, body).json() == {"status": "duplicate", "inbox_id": None, "events": 0}
    assert post(server, delivery(event_id="another-event")).json()["status"] == "duplicate"


def test_a_wrong_or_missing_api_key_is_refused_and_stores_nothing(server: HubServer, home: Path) -> None:
    before = {db: table_counts(home / db) for db in ("hub.db", "log.db")}
    wrong = post(server, delivery(), key="not-the-key")
    missing = post(server, delivery(), key=None)

    assert (wrong.status_code, wrong.json()) == (401, {"error": "token does not match"})
    assert (missing.status_code, missing.json()) == (401, {"error": "missing x-api-key header"})
    assert {db: table_counts(home / db) for db in ("hub.db", "log.db")} == before
    assert API_KEY not in server.output()
