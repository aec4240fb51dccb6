"""Date windows with a per-order follow-up call (Amazon Orders v0 with getOrderItems), the sandbox's
Amazon notifications in an SQS-compatible queue, its payment provider, and its clean stop."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import httpx

from hub.mapping.result import Mapped
from hub.project import Project
from tests.support.hubproc import HubCli, hub_env
from tests.support.motoserver import MotoServer
from tests.support.paths import REPO
from tests.support.sandbox import SandboxServer, project_copy


def test_windows_walk_the_range_and_attach_each_orders_items(
    tmp_path: Path, home: Path, sandbox: SandboxServer
) -> None:
    project = project_copy(
        tmp_path / "project",
        {
            "amazon:streams.orders.incremental": {
                "cursor": "$.LastUpdateDate",
                "param": "LastUpdatedAfter",
                "end_param": "LastUpdatedBefore",
                "format": "iso8601",
                "start": "6h",
                "window": "1h",
            },
        },
    )
    orders = set(sandbox.seed("amazon", 10, spread_s=5 * 3600))
    sandbox.admin("advance", {"marketplace": "amazon", "count": 10, "notify": False})  # priced: Unshipped
    cli = HubCli(hub_env(home, project, **sandbox.env()))
    cli.run("pull", "amazon")
    calls = [r for r in sandbox.requests() if r["marketplace"] == "amazon"]
    assert len([r for r in calls if r["operation"] == "getOrders"]) == 6  # one per window
    assert len([r for r in calls if r["operation"] == "getOrderItems"]) == 10
    cli.run("relay", "--once")
    paid = [json.loads(line)["data"] for line in cli.run("events", "--json").stdout.splitlines()]
    assert {d["order_id"] for d in paid} == orders
    assert all(d["channel_status"] == "Unshipped" for d in paid)
    status = cli.run("pull", "--status").stdout
    assert "amazon" in status and " ok " in status


def test_amazon_notifications_go_to_the_queue(tmp_path: Path, sqs_server: MotoServer) -> None:
    queue = sqs_server.new_queue()
    sandbox = SandboxServer(
        tmp_path / "sandbox.log", extra=("--sqs-queue-url", queue, "--sqs-endpoint", sqs_server.url)
    )
    sandbox.start()
    try:
        order_id = sandbox.seed("amazon", 1, notify=True)[0]
        messages = sqs_server.client().receive_message(QueueUrl=queue, WaitTimeSeconds=5).get("Messages", [])
    finally:
        sandbox.stop()
    assert len(messages) == 1
    note = json.loads(messages[0]["Body"])
    assert note["Payload"]["OrderChangeNotification"]["AmazonOrderId"] == order_id
    outcome = Project.load(REPO, ["amazon"]).normalize("amazon", note)
    assert isinstance(outcome, Mapped) and outcome.drafts


def test_the_payment_provider_records_and_fails_on_request(sandbox: SandboxServer) -> None:
    psp = f"{sandbox.url}/psp/v1/authorizations"
    body = {"amount": "12.50", "currency": "EUR", "reference": "cart-1"}
    first = httpx.post(psp, json=body, headers={"Idempotency-Key": "k1"})
    again = httpx.post(psp, json=body, headers={"Idempotency-Key": "k1"})
    assert first.status_code == 201 and again.json()["id"] == first.json()["id"]
    payment = first.json()["id"]
    assert httpx.post(f"{psp}/{payment}/capture").json()["status"] == "captured"
    assert httpx.post(f"{psp}/{payment}/void").status_code == 409
    declined = httpx.post(psp, json={**body, "reference": "cart-2"}, headers={"X-Sandbox-Outcome": "fail"})
    assert declined.status_code == 402
    sandbox.admin("psp", {"reference": "cart-3", "outcome": "hang", "seconds": 2})
    try:
        httpx.post(psp, json={**body, "reference": "cart-3"}, timeout=0.5)
        raise AssertionError("the hung authorization answered")
    except httpx.TimeoutException:
        pass
    calls = sandbox.admin("psp")["calls"]
    assert [(c["action"], c["status"]) for c in calls[:5]] == [
        ("authorize", 201),
        ("authorize", 200),
        ("capture", 200),
        ("void", 409),
        ("authorize", 402),
    ]


def test_the_sandbox_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    sandbox = SandboxServer(tmp_path / "sandbox.log").start()
    assert sandbox.process is not None
    sandbox.process.send_signal(signal.SIGTERM)
    assert sandbox.process.wait(15) == 0
    sandbox.stop()
    assert "hub sandbox: stopped on SIGTERM" in (tmp_path / "sandbox.log").read_text()
