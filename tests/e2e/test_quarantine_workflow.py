"""Quarantine a person can work with: a log line for every delivery (never its payload or a secret), the
id of the HTTP answer is the id `hub quarantine` takes, and junk can be discarded with a reason that the
audit trail keeps."""

from __future__ import annotations

import getpass

import httpx

from tests.e2e.test_webhook_spine import order_webhook, post
from tests.support.hubproc import HubCli, HubServer, hub_env
from tests.support.secrets import BUNDLED_SECRETS


def test_every_delivery_is_logged_without_payload_or_secret(home) -> None:  # type: ignore[no-untyped-def]
    with HubServer(hub_env(home)) as server:
        accepted = post(server, order_webhook("UNPAID", "3001", "q1")).json()
        held = post(server, order_webhook("AWAITING_BUYER_REVIEW", "3002", "q2")).json()
        duplicate = post(server, order_webhook("UNPAID", "3001", "q1")).json()
        url = f"{server.url}/webhooks/tiktok"
        unsigned = httpx.post(url, content=b'{"type": 1}', headers={"Authorization": "nope"})
        too_big = httpx.post(url, content=b"x" * (1024 * 1024 + 1))
    assert (accepted["status"], held["status"], duplicate["status"]) == (
        "accepted",
        "quarantined",
        "duplicate",
    )
    assert (unsigned.status_code, too_big.status_code) == (401, 413)
    log = server.output()
    assert f"delivery {accepted['inbox_id']} to tiktok: accepted, 1 event(s)" in log
    assert (
        f"delivery {held['inbox_id']} to tiktok: quarantined: unknown value 'AWAITING_BUYER_REVIEW' at "
        "$.data.order_status" in log
    )
    assert "delivery to tiktok: duplicate of one already stored" in log
    assert "refused delivery to tiktok: 401, signature does not match" in log
    assert "refused delivery to tiktok: 413, body over 1048576 bytes" in log
    for secret in BUNDLED_SECRETS.values():
        assert secret not in log
    assert "3002" not in log  # the order id: nothing of the payload itself


def test_the_reply_id_is_the_quarantine_id_and_junk_can_be_discarded(home) -> None:  # type: ignore[no-untyped-def]
    cli = HubCli(hub_env(home))
    with HubServer(hub_env(home)) as server:
        post(server, order_webhook("UNPAID", "4001", "d1"))  # an accepted delivery takes id 1
        held = post(server, order_webhook("AWAITING_BUYER_REVIEW", "4002", "d2")).json()
    delivery = held["inbox_id"]
    assert delivery == 2

    listed = cli.run("quarantine", "ls").stdout
    assert listed.split()[0] == str(delivery)
    shown = cli.run("quarantine", "show", str(delivery)).stdout
    assert f"id:          {delivery}" in shown and "AWAITING_BUYER_REVIEW" in shown
    assert '"known":["UNPAID"' in shown  # the known values, in the detail rather than the reason
    assert cli.run("quarantine", "retry", "--all", check=False).returncode == 1

    discarded = cli.run("quarantine", "discard", str(delivery), "--reason", "a sandbox test order")
    assert f"{delivery}: discarded by {getpass.getuser()}: a sandbox test order" in discarded.stdout
    assert cli.run("quarantine", "ls").stdout.strip() == "quarantine is empty"
    assert "0 resolved, 0 still quarantined" in cli.run("quarantine", "retry", "--all").stdout

    trail = cli.run("quarantine", "show", str(delivery)).stdout
    assert "status:      discarded" in trail
    assert f"discarded by {getpass.getuser()}: a sandbox test order" in trail

    again = cli.run("quarantine", "discard", str(delivery), "--reason", "twice", check=False)
    assert again.returncode == 2
    assert (
        again.stderr.strip()
        == f"error: no open quarantine entry for delivery {delivery} (see hub quarantine ls)"
    )
    unknown = cli.run("quarantine", "show", "999", check=False)
    assert unknown.returncode == 2 and "no quarantined delivery with id 999" in unknown.stderr
