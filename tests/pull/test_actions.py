"""Each outbound action reaches the sandbox with the account's auth, the declared body and, where the
connector declares one, a stable idempotency key; a partial failure names the SKUs that failed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.hubproc import HubCli, hub_env
from tests.support.sandbox import SandboxServer, project_copy


def _last(sandbox: SandboxServer, operation: str) -> dict[str, Any]:
    return [p for p in sandbox.pushed() if p["operation"] == operation][-1]


def test_every_action_reaches_the_marketplace_as_declared(home: Path, sandbox: SandboxServer) -> None:
    walmart_po = sandbox.seed("walmart", 1)[0]
    cli = HubCli(hub_env(home, **sandbox.env()))
    levels = json.dumps([{"sku": "SKU-1", "quantity": 7}, {"sku": "SKU-2", "quantity": 0}])

    assert (
        "all accepted"
        in cli.run("push", "walmart", "acknowledge_order", "--arg", f"order_id={walmart_po}").stdout
    )
    ack = _last(sandbox, "acknowledgeOrders")
    assert ack["order_id"] == walmart_po and ack["headers"]["wm_svc.name"] == "Walmart Marketplace"
    assert ack["headers"]["wm_qos.correlation_id"] and ack["headers"]["wm_sec.access_token"]

    cli.run(
        "push",
        "walmart",
        "ship_lines",
        "--arg",
        f"order_id={walmart_po}",
        "--arg",
        "carrier=UPS",
        "--arg",
        "tracking=1Z999",
        "--arg",
        'lines=[{"line": "1", "quantity": 1}]',
    )
    line = _last(sandbox, "shippingUpdates")["body"]["orderShipment"]["orderLines"]["orderLine"][0]
    status = line["orderLineStatuses"]["orderLineStatus"][0]
    assert line["lineNumber"] == "1" and status["status"] == "Shipped"
    assert status["statusQuantity"] == {"unitOfMeasurement": "EACH", "amount": 1}
    assert status["trackingInfo"]["trackingNumber"] == "1Z999" and status["trackingInfo"]["carrierName"] == {
        "carrier": "UPS"
    }

    cli.run("push", "walmart", "set_inventory", "--arg", f"levels={levels}")
    walmart = [p for p in sandbox.pushed() if p["operation"] == "updateInventoryForAnItem"]
    assert [(p["sku"], p["body"]) for p in walmart] == [
        ("SKU-1", {"sku": "SKU-1", "quantity": {"unit": "EACH", "amount": 7}}),
        ("SKU-2", {"sku": "SKU-2", "quantity": {"unit": "EACH", "amount": 0}}),
    ]
    assert all("idempotency-key" not in p["headers"] for p in walmart)  # Walmart takes none

    cli.run("push", "amazon", "set_inventory", "--arg", f"levels={levels}")
    listing = _last(sandbox, "patchListingsItem")
    assert listing["sku"] == "SKU-2" and listing["headers"]["x-amz-access-token"]
    assert listing["body"]["patches"] == [
        {
            "op": "replace",
            "path": "/attributes/fulfillment_availability",
            "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 0}],
        }
    ]

    cli.run(
        "push",
        "amazon",
        "ship_lines",
        "--arg",
        "order_id=111-2222222-3333333",
        "--arg",
        "carrier=UPS",
        "--arg",
        "tracking=1Z1",
        "--arg",
        'lines=[{"line": "OI1", "quantity": 2}]',
        "--arg",
        "shipped_at=2026-12-01T10:00:00Z",
    )
    shipment = _last(sandbox, "confirmShipment")
    assert shipment["order_id"] == "111-2222222-3333333"
    assert shipment["body"] == {
        "marketplaceId": "ATVPDKIKX0DER",
        "packageDetail": {
            "packageReferenceId": "1Z1",
            "carrierCode": "UPS",
            "trackingNumber": "1Z1",
            "shipDate": "2026-12-01T10:00:00Z",
            "orderItems": [{"orderItemId": "OI1", "quantity": 2}],
        },
    }

    cli.run(
        "push",
        "tiktok",
        "ship_lines",
        "--arg",
        "package_id=PK1",
        "--arg",
        "tracking=TT1",
        "--arg",
        "carrier=6617",
    )
    assert _last(sandbox, "shipPackage")["body"] == {
        "handover_method": "DROP_OFF",
        "self_shipment": {"tracking_number": "TT1", "shipping_provider_id": "6617"},
    }
    cli.run(
        "push",
        "tiktok",
        "set_inventory",
        "--arg",
        'levels=[{"product_id": "P9", "sku": "S9", "warehouse_id": "W1", "quantity": 5}]',
    )
    inventory = _last(sandbox, "updateInventory")
    assert inventory["product_id"] == "P9" and inventory["headers"]["x-tts-access-token"]
    assert inventory["body"] == {"skus": [{"id": "S9", "inventory": [{"warehouse_id": "W1", "quantity": 5}]}]}


def test_a_partial_failure_names_the_skus(home: Path, sandbox: SandboxServer) -> None:
    sandbox.admin("reject_skus", {"skus": ["SKU-BAD", "SKU-WORSE"]})
    cli = HubCli(hub_env(home, **sandbox.env()))
    levels = json.dumps([{"sku": s, "quantity": 1} for s in ("SKU-OK", "SKU-BAD", "SKU-WORSE")])
    for connector in ("amazon", "walmart"):
        result = cli.run("push", connector, "set_inventory", "--arg", f"levels={levels}", check=False)
        assert result.returncode == 1
        assert "3 call(s), 2 failed" in result.stderr
        assert "SKU-BAD" in result.stderr and "SKU-WORSE" in result.stderr and "SKU-OK:" not in result.stderr


def test_an_idempotency_key_is_stable_per_arguments(
    tmp_path: Path, home: Path, sandbox: SandboxServer
) -> None:
    project = project_copy(
        tmp_path / "project", {"walmart:actions.set_inventory.idempotency": {"header": "Idempotency-Key"}}
    )
    cli = HubCli(hub_env(home, project, **sandbox.env()))
    for quantity in (3, 3, 4):
        cli.run(
            "push", "walmart", "set_inventory", "--arg", f'levels=[{{"sku": "A1", "quantity": {quantity}}}]'
        )
    keys = [p["headers"]["idempotency-key"] for p in sandbox.pushed()]
    assert keys[0] == keys[1] != keys[2] and len(keys[0]) == 32
