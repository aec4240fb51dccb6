"""`hub map` says what intake would record for a payload, with the code intake uses, and works on one
mapping while other routes of the connector still lack theirs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from hub.intake.identity import delivery_identity
from hub.jsonio import loads
from hub.project import Project
from tests.support.hubproc import HubCli, hub_env
from tests.support.paths import REPO, sample


def delivery_line(stdout: str) -> dict[str, str | None]:
    first = stdout.splitlines()[0]
    assert first.startswith("delivery: "), stdout
    facts: dict[str, str | None] = json.loads(first.removeprefix("delivery: "))
    return facts


def test_map_reports_the_dedupe_key_account_and_route_intake_records(cli: HubCli) -> None:
    file = sample("walmart", "orders-getAnOrder-response.json")
    payload = {
        "source": {"eventType": "PO_CREATED", "eventTime": "2024-01-02T03:04:05Z", "eventId": "ev-1"},
        "payload": {"partnerId": "10001234", "purchaseOrderId": "1796277083022", "customerOrderId": "C1"},
    }
    body = json.dumps(payload).encode()
    path = Path(cli.env["HUB_HOME"]) / "po.json"
    path.write_bytes(body)
    result = cli.run("map", "walmart", str(path), check=False)
    facts = delivery_line(result.stdout)
    connector = Project.load(REPO).connector("walmart")
    identity = delivery_identity(connector)
    assert identity is not None
    key, account = identity.of(loads(body), body)  # what the receiver computes for this body
    assert facts == {"dedupe_key": key, "account": account, "route": "po_created"}
    assert account == "10001234"
    # A pulled record names its mapping; intake keys it by no delivery.
    pulled = cli.run("map", "walmart", str(file), "--route", "order", "--pick", "$.order")
    assert delivery_line(pulled.stdout)["dedupe_key"] is None


def test_map_works_while_another_route_lacks_its_mapping(tmp_path: Path, home: Path) -> None:
    project = tmp_path / "project"
    for folder in ("connectors", "mappings"):
        shutil.copytree(REPO / folder, project / folder)
    (project / "mappings" / "tiktok" / "package_update.yaml").unlink()
    cli = HubCli(hub_env(home, project))
    assert cli.run("lint", check=False).returncode == 1  # the project is not complete
    result = cli.run("map", "tiktok", str(sample("tiktok", "webhook-1-ORDER_STATUS_CHANGE.json")))
    assert delivery_line(result.stdout)["route"] == "order_status_change"
    assert '"type": "OrderPlaced"' in result.stdout
    assert "problem(s) elsewhere in the project" in result.stderr
    # The route without its mapping quarantines with that reason.
    missing = cli.run("map", "tiktok", str(sample("tiktok", "webhook-4-PACKAGE_UPDATE.json")), check=False)
    assert missing.returncode == 1
    assert "route 'package_update' names no mapping in mappings/tiktok/" in missing.stdout


def test_map_takes_the_headers_of_a_live_delivery(home: Path) -> None:
    examples = REPO / "examples" / "platforms"
    cli = HubCli(hub_env(home, examples))
    refund = examples / "connectors" / "shopify" / "samples" / "refunds-get-response.json"
    result = cli.run(
        "map",
        "shopify",
        str(refund),
        "--pick",
        "$.refund",
        "--header",
        "X-Shopify-Topic: refunds/create",
        "--header",
        "X-Shopify-Shop-Domain: johns-apparel.myshopify.com",
        "--header",
        "X-Shopify-Webhook-Id: d0a4f7e2",
    )
    assert delivery_line(result.stdout) == {
        "dedupe_key": "d0a4f7e2",
        "account": "johns-apparel.myshopify.com",
        "route": "refund",
    }
    assert '"channel_status": "refunds/create"' in result.stdout
    bad = cli.run("map", "shopify", str(refund), "--header", "no-colon", check=False)
    assert bad.returncode != 0 and "write NAME:VALUE" in bad.stderr
