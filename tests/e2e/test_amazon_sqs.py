"""Amazon notifications through a real SQS-compatible server (moto_server): the hub polls the queue,
stores each message and deletes it only after the transaction that stored it committed."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.db import rows
from tests.support.hubproc import HubCli, HubServer, hub_env, wait_for
from tests.support.motoserver import SECRET_ACCESS_KEY, MotoServer
from tests.support.paths import sample


def notification(name: str, notification_id: str, **changes: Any) -> dict[str, Any]:
    """A sample notification with its own NotificationId (the samples share one), changed as given."""
    payload: dict[str, Any] = json.loads(sample("amazon", f"notification-{name}.json").read_text())
    payload["NotificationMetadata"]["NotificationId"] = notification_id
    order = payload["Payload"].get("OrderChangeNotification")
    if order is not None and changes:
        order["OrderChangeType"] = changes.get("change_type", "OrderStatusChange")
        order["Summary"]["OrderStatus"] = changes["status"]
    return payload


def send(server: MotoServer, queue_url: str, *payloads: dict[str, Any] | str) -> None:
    client = server.client()
    for payload in payloads:
        body = payload if isinstance(payload, str) else json.dumps(payload)
        client.send_message(QueueUrl=queue_url, MessageBody=body)


def events(cli: HubCli, *, relay: bool = True) -> list[dict[str, Any]]:
    if relay:
        cli.run("relay", "--once")
    out = cli.run("events", "--json").stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def outbox(home: Path) -> list[tuple[object, ...]]:
    return rows(home / "hub.db", "SELECT event_type, partition_key FROM outbox ORDER BY id")


@pytest.fixture
def queue(sqs_server: MotoServer) -> str:
    return sqs_server.new_queue()


@pytest.fixture
def amazon_cli(home: Path, sqs_server: MotoServer, queue: str) -> HubCli:
    return HubCli(hub_env(home, **sqs_server.amazon_env(queue)))


def test_notifications_in_the_queue_become_events_and_leave_the_queue(
    sqs_server: MotoServer, queue: str, amazon_cli: HubCli, home: Path
) -> None:
    send(
        sqs_server,
        queue,
        notification("ORDER_CHANGE", "n-order-paid", status="Unshipped"),
        notification("ORDER_CHANGE", "n-buyer-asks"),  # the verbatim BuyerRequestedChange
        notification("ANY_OFFER_CHANGED", "n-offers"),
        notification("FBA_INVENTORY_AVAILABILITY_CHANGES", "n-fba"),
    )

    out = amazon_cli.run("sqs", "amazon", "--once").stdout
    assert (
        "amazon: 4 message(s): 2 accepted, 0 duplicate, 2 ignored, 0 quarantined; 3 event(s); 0 left" in out
    )
    assert sqs_server.counts(queue) == (0, 0)

    published = events(amazon_cli)
    assert [(e["type"], e["partitionkey"]) for e in published] == [
        ("InventoryAdjusted", "SELLERSKU-1"),
        ("InventoryAdjusted", "SELLERSKU-1"),
        ("OrderPaid", "amazon:903-8868176-2219830"),
    ]
    stock = {e["data"]["location"]: (e["data"]["on_hand"], e["data"]["delta"]) for e in published[:2]}
    assert stock == {"fba:ATVPDKIKX0DER": (50, 50), "fba:A2EUQ1WTGCTBG2": (40, 40)}
    assert published[2]["data"]["account"] == "A3TH9S8BH6GOGM"

    inbox = rows(home / "hub.db", "SELECT dedupe_key, account, status, note FROM inbox ORDER BY id")
    assert [(key, account, status) for key, account, status, _ in inbox] == [
        ("n-order-paid", "A3TH9S8BH6GOGM", "mapped"),
        ("n-buyer-asks", "A3TH9S8BH6GOGM", "ignored"),
        ("n-offers", "A3TH9S8BH6GOGM", "ignored"),
        ("n-fba", "A3TH9S8BH6GOGM", "mapped"),
    ]
    assert inbox[2][3].startswith("ANY_OFFER_CHANGED: offer and price competition")


def test_a_crash_between_commit_and_delete_redelivers_and_the_second_delivery_is_a_no_op(
    sqs_server: MotoServer, home: Path
) -> None:
    queue = sqs_server.new_queue(visibility_timeout_s=1)
    cli = HubCli(hub_env(home, **sqs_server.amazon_env(queue)))
    send(sqs_server, queue, notification("FBA_INVENTORY_AVAILABILITY_CHANGES", "n-fba-crash"))

    killed = cli.run("sqs", "amazon", "--once", check=False, HUB_FAULTS="sqs.before_delete")
    assert killed.returncode == -9  # SIGKILL after the commit, before the delete
    db = home / "hub.db"
    assert rows(db, "SELECT dedupe_key, status FROM inbox") == [("n-fba-crash", "mapped")]
    assert rows(db, "SELECT count(*) FROM outbox") == [(2,)]
    assert sqs_server.counts(queue) != (0, 0)  # not deleted: still in the queue

    time.sleep(1.5)  # the visibility timeout passes; SQS offers the message again
    again = cli.run("sqs", "amazon", "--once").stdout
    assert "1 message(s): 0 accepted, 1 duplicate, 0 ignored, 0 quarantined; 0 event(s); 0 left" in again
    assert sqs_server.counts(queue) == (0, 0)
    assert rows(db, "SELECT count(*) FROM inbox") == [(1,)]
    assert rows(db, "SELECT count(*) FROM outbox") == [(2,)]


def test_the_same_notification_id_twice_gives_one_event(
    sqs_server: MotoServer, queue: str, amazon_cli: HubCli, home: Path
) -> None:
    paid = notification("ORDER_CHANGE", "n-twice", status="Unshipped")
    send(sqs_server, queue, paid)
    first = amazon_cli.run("sqs", "amazon", "--once").stdout
    send(sqs_server, queue, paid)  # Amazon delivers at least once
    second = amazon_cli.run("sqs", "amazon", "--once").stdout

    assert "1 accepted, 0 duplicate" in first
    assert "0 accepted, 1 duplicate" in second
    assert sqs_server.counts(queue) == (0, 0)
    assert outbox(home) == [("OrderPaid", "amazon:903-8868176-2219830")]


def test_a_message_that_is_not_json_is_kept_in_quarantine_and_leaves_the_queue(
    sqs_server: MotoServer, queue: str, amazon_cli: HubCli
) -> None:
    send(sqs_server, queue, "<Notification>not json</Notification>")
    result = amazon_cli.run("sqs", "amazon", "--once")
    assert "1 message(s): 0 accepted, 0 duplicate, 0 ignored, 1 quarantined" in result.stdout
    assert "sqs amazon: delivery 1 quarantined: body is not valid JSON" in result.stderr
    assert "<Notification>" not in result.stderr
    assert sqs_server.counts(queue) == (0, 0)

    listed = amazon_cli.run("quarantine", "ls").stdout
    assert "body is not valid JSON" in listed
    assert "<Notification>not json</Notification>" in amazon_cli.run("quarantine", "show", "1").stdout


def test_hub_up_polls_the_queue_and_never_prints_the_credentials(
    sqs_server: MotoServer, queue: str, home: Path
) -> None:
    env = hub_env(home, **sqs_server.amazon_env(queue))
    cli = HubCli(env)
    with HubServer(env) as server:
        send(sqs_server, queue, notification("ORDER_CHANGE", "n-up", status="Shipped"))
        published = "SELECT count(*) FROM outbox WHERE published_at IS NOT NULL"
        wait_for(lambda: rows(home / "hub.db", published) == [(1,)], message="the event published")
        assert [e["type"] for e in events(cli, relay=False)] == ["OrderShipped"]
        wait_for(lambda: sqs_server.counts(queue) == (0, 0), message="the message deleted")
    output = server.output()
    assert "sqs amazon: polling" in output
    assert "1 SQS poller(s)" in output
    assert SECRET_ACCESS_KEY not in output


def test_the_sqs_intake_is_off_without_a_queue_and_hub_sqs_says_which_variable(home: Path) -> None:
    result = HubCli(hub_env(home)).run("sqs", "amazon", "--once", check=False)
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == "error: connector amazon: the SQS intake is off: AMAZON_SQS_QUEUE_URL is unset"
    )
