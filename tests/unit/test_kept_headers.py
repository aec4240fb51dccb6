"""A mapping may read a request header of its delivery. Intake keeps those headers with the stored delivery
(only those: never the signature), so a quarantined delivery, retried after its mapping is fixed, reads the
same values; `hub lint` refuses a mapping that reads the header carrying the connector's secret."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import select

from hub.clock import utcnow
from hub.intake.delivery import Delivery
from hub.intake.identity import delivery_identity
from hub.intake.quarantine import QuarantineService
from hub.intake.service import IntakeService
from hub.lint import lint
from hub.project import Project
from hub.store import Store
from hub.store.tables import inbox, outbox
from tests.support.paths import REPO

EXAMPLES = REPO / "examples" / "platforms"
REFUND = json.loads((EXAMPLES / "connectors/shopify/samples/refunds-get-response.json").read_text())["refund"]
HEADERS = {
    "X-Shopify-Topic": "refunds/create",
    "X-Shopify-Hmac-Sha256": "c2lnbmF0dXJl",
    "X-Shopify-Shop-Domain": "johns-apparel.myshopify.com",
    "X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
    "X-Shopify-Triggered-At": "2016-03-22T15:15:00.000000Z",
}


def project_copy(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(EXAMPLES, root)
    return root


def delivered(project: Project, payload: Any, headers: dict[str, str]) -> Delivery:
    """What the receiver makes of a request (hub/receiver/endpoints.py)."""
    identity = delivery_identity(project.connector("shopify"))
    assert identity is not None
    body = json.dumps(payload).encode()
    key, account = identity.of(payload, body, headers)
    return Delivery(
        "shopify",
        body,
        payload,
        key,
        utcnow(),
        account=account,
        route=identity.route(payload, headers),
        headers=identity.headers(headers),
    )


def test_the_headers_a_mapping_reads_are_kept_and_read_again_on_retry(tmp_path: Path) -> None:
    root = project_copy(tmp_path)
    mapping = root / "mappings/shopify/refund.yaml"
    fixed = mapping.read_text()
    # The refund's own time, not the delivery's: a mapping that reads X-Shopify-Triggered-At, and requires
    # a field Shopify does not send, so the first delivery is quarantined.
    mapping.write_text(
        fixed.replace(
            "occurred_at: {type: timestamp, from: $.created_at, required: true}",
            "occurred_at: {type: timestamp, from: {type: header, name: X-Shopify-Triggered-At}, "
            "required: true}\n"
            "      customer_order_id: {type: string, from: $.nothing, required: true}",
        )
    )
    store = Store(f"sqlite:///{tmp_path / 'hub.db'}")
    store.migrate()
    project = Project.load(root)
    assert project.connector("shopify").kept_headers == ("X-Shopify-Shop-Domain", "X-Shopify-Triggered-At")

    (receipt,) = IntakeService(project, store).accept([delivered(project, REFUND, HEADERS)])
    assert not isinstance(receipt, Exception) and receipt.status == "quarantined"
    with store.engine.connect() as conn:
        (kept,) = conn.execute(select(inbox.c.headers)).scalars()
    # Only what the mappings read: not the signature, not the topic (kept as the route), not the id.
    assert kept == {
        "X-Shopify-Shop-Domain": "johns-apparel.myshopify.com",
        "X-Shopify-Triggered-At": "2016-03-22T15:15:00.000000Z",
    }

    mapping.write_text(
        mapping.read_text().replace(
            "\n      customer_order_id: {type: string, from: $.nothing, required: true}", ""
        )
    )
    (result,) = QuarantineService(Project.load(root), store).retry()
    assert result.status == "mapped", result.reason
    with store.engine.connect() as conn:
        (payload,) = conn.execute(select(outbox.c.payload)).scalars()
    data = json.loads(payload)
    assert data["occurred_at"] == "2016-03-22T15:15:00+00:00"  # read from the kept header
    assert data["channel_status"] == "refunds/create"  # the routing value, kept as the route
    assert data["account"] == "johns-apparel.myshopify.com"
    store.dispose()


def test_a_mapping_may_not_read_the_header_that_carries_the_secret(tmp_path: Path) -> None:
    root = project_copy(tmp_path)
    mapping = root / "mappings/shopify/refund.yaml"
    mapping.write_text(
        mapping.read_text().replace(
            "return_id: {type: string, from: $.id, required: true}",
            "return_id: {type: header, name: x-shopify-hmac-sha256}",
        )
    )
    _, issues = lint(root)
    (issue,) = [i for i in issues if "signature" in i.message]
    assert issue.file == mapping and issue.line == 16
    assert issue.message.startswith("x-shopify-hmac-sha256 carries the connector's signature or token")
    assert "X-Shopify-Hmac-Sha256".lower() not in [
        h.lower() for h in Project.load(root).connector("shopify").kept_headers
    ]
