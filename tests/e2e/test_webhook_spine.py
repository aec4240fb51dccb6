"""The spine over real HTTP on loopback: `hub up` in its own process, the CLI as a user runs it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.db import rows, table_counts
from tests.support.hubproc import HubCli, HubServer, hub_env, wait_for
from tests.support.paths import REPO, sample
from tests.support.secrets import tiktok_signature

ORDER_STATUS = json.loads(sample("tiktok", "webhook-1-ORDER_STATUS_CHANGE.json").read_text())


def order_webhook(
    status: str, order_id: str = "576486316948490001", notification: str = "7327112393057371910"
) -> bytes:
    payload: dict[str, Any] = json.loads(json.dumps(ORDER_STATUS))
    payload["tts_notification_id"] = notification
    payload["data"].update(order_status=status, order_id=order_id)
    return json.dumps(payload, separators=(",", ":")).encode()


def post(server: HubServer, body: bytes, signature: str | None = "sign", **headers: str) -> httpx.Response:
    if signature == "sign":
        signature = tiktok_signature(body)
    if signature is not None:
        headers["Authorization"] = signature
    return httpx.post(f"{server.url}/webhooks/tiktok", content=body, headers=headers, timeout=10)


def events(cli: HubCli, *args: str) -> list[dict[str, Any]]:
    out = cli.run("events", "--json", *args).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


@pytest.fixture
def server(home: Path) -> Any:
    with HubServer(hub_env(home)) as running:
        yield running


def test_signed_webhook_becomes_event_applied_once_by_each_group(
    server: HubServer, cli: HubCli, home: Path
) -> None:
    body = order_webhook("AWAITING_SHIPMENT")
    response = post(server, body)
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "accepted", "inbox_id": 1, "events": 1}

    published = wait_for(lambda: events(cli), message="the event in the log")
    assert len(published) == 1
    event = published[0]
    assert event["type"] == "OrderPaid"
    assert event["specversion"] == "1.0"
    assert event["source"] == "/connectors/tiktok"
    assert event["partitionkey"] == "tiktok:576486316948490001"
    assert event["sequence"] == 1
    assert event["data"]["order_id"] == "576486316948490001"
    assert event["data"]["account"] == "7494049642642441621"
    assert event["data"]["channel_status"] == "AWAITING_SHIPMENT"
    assert event["data"]["occurred_at"] == "2022-02-09T13:21:25+00:00"

    db = home / "hub.db"
    wait_for(lambda: rows(db, "SELECT count(*) FROM consumer_inbox")[0][0] == 2, message="both groups")
    assert rows(db, "SELECT group_name, event_id FROM audit_log") == [("audit", event["id"])]
    assert rows(db, "SELECT order_id, last_event_type, channel_status, events_applied FROM order_view") == [
        ("576486316948490001", "OrderPaid", "AWAITING_SHIPMENT", 1)
    ]
    assert sorted(rows(db, "SELECT group_name FROM consumer_inbox")) == [("audit",), ("order-view",)]


def test_wrong_or_missing_signature_is_refused_and_stores_nothing(server: HubServer, home: Path) -> None:
    before = {db: table_counts(home / db) for db in ("hub.db", "log.db")}
    body = order_webhook("UNPAID")

    wrong = post(server, body, signature=tiktok_signature(body, app_secret="not-the-secret"))
    missing = post(server, body, signature=None)
    tampered = post(server, body.replace(b"UNPAID", b"CANCEL"), signature=tiktok_signature(body))

    assert [wrong.status_code, missing.status_code, tampered.status_code] == [401, 401, 401]
    assert missing.json() == {"error": "missing Authorization header"}
    assert wrong.json() == {"error": "signature does not match"}
    after = {db: table_counts(home / db) for db in ("hub.db", "log.db")}
    assert after == before
    assert after["hub.db"]["inbox"] == 0 and after["hub.db"]["outbox"] == 0
    assert "test-tiktok-app-secret" not in server.output()


def test_the_same_delivery_twice_yields_one_event(server: HubServer, cli: HubCli, home: Path) -> None:
    body = order_webhook("UNPAID")
    first, second = post(server, body), post(server, body)
    assert first.json()["status"] == "accepted"
    assert second.status_code == 200 and second.json()["status"] == "duplicate"

    wait_for(
        lambda: rows(home / "hub.db", "SELECT count(*) FROM consumer_inbox")[0][0] == 2, message="groups"
    )
    assert [e["type"] for e in events(cli)] == ["OrderPlaced"]
    assert rows(home / "hub.db", "SELECT count(*) FROM inbox") == [(1,)]
    assert rows(home / "hub.db", "SELECT count(*) FROM outbox") == [(1,)]


def test_receiver_answers_bad_requests_with_clear_codes(server: HubServer) -> None:
    not_json = b"{not json"
    assert post(server, not_json).status_code == 400
    unknown = httpx.post(f"{server.url}/webhooks/nosuchshop", content=b"{}", timeout=10)
    assert unknown.status_code == 404
    # An unauthenticated caller learns nothing of the configured connectors.
    assert unknown.json() == {"error": "unknown connector"}
    huge = b'{"pad": "' + b"x" * (1_048_576 + 1) + b'"}'
    assert post(server, huge).status_code == 413
    health = httpx.get(f"{server.url}/healthz", timeout=10)
    assert health.json()["status"] == "ok"


def test_relay_killed_between_publish_and_mark_loses_nothing(home: Path, cli: HubCli) -> None:
    # Each status moves the order on (the lifecycle would record a repeated phase and emit nothing).
    statuses = ["UNPAID", "AWAITING_SHIPMENT", "AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED"]
    total = 5 * len(statuses)
    with HubServer(hub_env(home), verb="receiver") as receiver:
        for order in range(5):
            for n, status in enumerate(statuses):
                response = post(receiver, order_webhook(status, f"57648631694849{order:04d}", f"{order}-{n}"))
                assert response.json()["status"] == "accepted"
    db = home / "hub.db"
    committed = {r[0] for r in rows(db, "SELECT event_id FROM outbox")}
    assert len(committed) == total

    killed = cli.run("relay", "--once", check=False, HUB_FAULTS="relay.after_publish")
    assert killed.returncode == -9  # SIGKILL, right after the broker accepted the batch
    assert rows(db, "SELECT count(*) FROM outbox WHERE published_at IS NULL") == [(total,)]
    assert len(events(cli)) == total  # in the log, but never marked

    assert f"published {total} event(s)" in cli.run("relay", "--once").stdout
    logged = events(cli)
    # At least once: duplicates, no loss.
    assert len(logged) == 2 * total and {e["id"] for e in logged} == committed

    for group in ("audit", "order-view"):
        cli.run("consume", group, "--once")
    audit = rows(db, "SELECT event_id, count(*) FROM audit_log GROUP BY event_id")
    assert {event_id for event_id, _ in audit} == committed
    assert all(count == 1 for _, count in audit)
    view = rows(db, "SELECT order_id, events_applied, last_event_type FROM order_view ORDER BY order_id")
    assert view == [(f"57648631694849{o:04d}", len(statuses), "OrderDelivered") for o in range(5)]
    sequences = rows(db, "SELECT partition_key, group_concat(sequence) FROM audit_log GROUP BY partition_key")
    assert all(seqs == "1,2,3,4,5" for _, seqs in sequences)  # applied in commit order per key


def test_unknown_status_is_quarantined_then_mapped_after_the_fix(tmp_path: Path, home: Path) -> None:
    project = tmp_path / "project"
    for folder in ("connectors", "mappings"):
        shutil.copytree(REPO / folder, project / folder)
    env = hub_env(home, project)
    cli = HubCli(env)
    body = order_webhook("AWAITING_BUYER_REVIEW")
    with HubServer(env) as server:
        response = post(server, body)
        assert response.status_code == 200
        assert response.json()["status"] == "quarantined"

        listed = cli.run("quarantine", "ls").stdout
        assert "unknown value 'AWAITING_BUYER_REVIEW' at $.data.order_status" in listed
        shown = cli.run("quarantine", "show", "1").stdout
        assert body.decode() in shown  # kept whole, byte for byte
        assert events(cli) == []

        mapping = project / "mappings" / "tiktok" / "order_status_change.yaml"
        mapping.write_text(
            mapping.read_text().replace(
                "        UNPAID: OrderPlaced",
                "        UNPAID: OrderPlaced\n        AWAITING_BUYER_REVIEW: OrderPlaced",
            )
        )
        retried = cli.run("quarantine", "retry", "--all").stdout
        assert "1 resolved, 0 still quarantined" in retried

        published = wait_for(lambda: events(cli), message="the re-normalized event")
        assert [(e["type"], e["data"]["channel_status"]) for e in published] == [
            ("OrderPlaced", "AWAITING_BUYER_REVIEW")
        ]
        assert cli.run("quarantine", "ls").stdout.strip() == "quarantine is empty"


def test_missing_secret_stops_start_up_naming_the_variable(home: Path) -> None:
    env = hub_env(home)
    del env["TIKTOK_APP_SECRET"]
    result = HubCli(env).run("up", "--port", "1", check=False)
    assert result.returncode == 2
    assert "TIKTOK_APP_SECRET (connector tiktok: secrets.app_secret)" in result.stderr
    assert "Traceback" not in result.stderr


def test_sigterm_stops_hub_up_cleanly(home: Path) -> None:
    server = HubServer(hub_env(home)).start()
    assert post(server, order_webhook("UNPAID")).status_code == 200
    assert server.stop() == 0
    assert "hub up: stopped on SIGTERM in " in server.output()
