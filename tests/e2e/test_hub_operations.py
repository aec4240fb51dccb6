"""Operating the hub: stopping it, reading the log by topic and time, pointing it at other files."""

from __future__ import annotations

import json
import os
import signal
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.e2e.test_webhook_spine import order_webhook, post
from tests.support.db import rows
from tests.support.hubproc import HubCli, HubServer, hub_env, wait_for


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_hub_up_stops_cleanly(home: Path, stop_signal: signal.Signals) -> None:
    server = HubServer(hub_env(home)).start()
    assert post(server, order_webhook("UNPAID")).status_code == 200
    assert server.process is not None
    os.killpg(server.process.pid, stop_signal)
    assert server.process.wait(20) == 0
    assert f"hub up: stopped on {stop_signal.name} in " in server.output()
    assert "Traceback" not in server.output()


def test_events_filtered_by_topic_and_time(home: Path, cli: HubCli) -> None:
    with HubServer(hub_env(home)) as server:
        post(server, order_webhook("UNPAID", "1001", "n1"))
        wait_for(lambda: cli.run("events").stdout.strip(), message="first event")
        time.sleep(1.1)
        middle = datetime.now(UTC).isoformat()
        post(server, order_webhook("ON_HOLD", "1001", "n2"))
        wait_for(lambda: len(cli.run("events").stdout.splitlines()) == 2, message="second event")

    everything = cli.run("events").stdout.splitlines()
    assert len(everything) == 2 and "OrderPlaced" in everything[0] and "OrderPaid" in everything[1]
    assert "orders[" in everything[0] and "tiktok:1001  #1" in everything[0]
    later = [json.loads(line) for line in cli.run("events", "--json", "--since", middle).stdout.splitlines()]
    assert [e["type"] for e in later] == ["OrderPaid"]
    assert cli.run("events", "--topic", "inventory").stdout == ""
    assert len(cli.run("events", "--since", "1h").stdout.splitlines()) == 2
    assert cli.run("events", "--since", "yesterday", check=False).returncode == 2


def test_database_and_broker_urls_override_the_defaults(tmp_path: Path, home: Path) -> None:
    store, log = tmp_path / "elsewhere" / "store.db", tmp_path / "elsewhere" / "events.db"
    env = hub_env(home, HUB_DATABASE_URL=f"sqlite:///{store}", HUB_BROKER_URL=f"sqlite:///{log}")
    with HubServer(env) as server:
        assert post(server, order_webhook("DELIVERED")).json()["status"] == "accepted"
        wait_for(lambda: HubCli(env).run("events").stdout.strip(), message="event in the custom log")
    assert rows(store, "SELECT count(*) FROM inbox") == [(1,)]
    assert not (home / "hub.db").exists() and not (home / "log.db").exists()


def test_a_group_rewound_reads_the_log_again_and_applies_nothing_twice(home: Path, cli: HubCli) -> None:
    with HubServer(hub_env(home), verb="receiver") as receiver:
        for n, status in enumerate(["UNPAID", "AWAITING_SHIPMENT", "IN_TRANSIT"]):  # each moves the order on
            assert post(receiver, order_webhook(status, "2002", f"r{n}")).json()["status"] == "accepted"
        time.sleep(1.1)
        middle = datetime.now(UTC).isoformat()
        assert post(receiver, order_webhook("DELIVERED", "2002", "r3")).json()["status"] == "accepted"
    cli.run("relay", "--once")
    assert "audit: read 4 record(s)" in cli.run("consume", "audit", "--once").stdout
    assert "audit: read 0 record(s)" in cli.run("consume", "audit", "--once").stdout

    replay = cli.run("consume", "audit", "--once", "--rewind", middle).stdout
    assert f"rewound to {middle}" in replay and "audit: read 1 record(s)" in replay
    assert "audit: read 4 record(s)" in cli.run("consume", "audit", "--once", "--rewind", "start").stdout
    assert rows(home / "hub.db", "SELECT count(*), count(DISTINCT event_id) FROM audit_log") == [(4, 4)]
