"""Replaying a consumer group: what the rewind says when members are running, how many events it
applied and skipped, and re-applying on purpose for a group that declares it may."""

from __future__ import annotations

import signal
import uuid
from pathlib import Path

import pytest
from kafka.admin import KafkaAdminClient

from hub.store import Store
from tests.faults.harness import HubProcess
from tests.infra import KafkaNode
from tests.support.db import rows
from tests.support.hubproc import HubCli, hub_env, wait_for
from tests.support.orders import accept_all, deliveries, intake

ORDERS, STEPS = 5, 3  # 15 events on the orders topic


def fill(home: Path, cli: HubCli) -> None:
    store = Store(f"sqlite:///{home / 'hub.db'}")
    store.migrate()
    try:
        assert accept_all(intake(store), iter(deliveries(ORDERS, STEPS))) == ORDERS * STEPS
    finally:
        store.dispose()
    assert "published 15 event(s)" in cli.run("relay", "--once").stdout


def test_rewind_reports_applied_and_skipped(home: Path, cli: HubCli) -> None:
    fill(home, cli)
    first = cli.run("consume", "audit", "--once").stdout
    assert "audit: read 15 record(s): 15 applied, 0 skipped as already applied" in first
    again = cli.run("consume", "audit", "--once", "--rewind", "start").stdout
    assert "audit: read 15 record(s): 0 applied, 15 skipped as already applied" in again
    assert rows(home / "hub.db", "SELECT count(*), count(DISTINCT event_id) FROM audit_log") == [(15, 15)]


def test_reapply_is_refused_to_a_group_that_does_not_declare_it(home: Path, cli: HubCli) -> None:
    fill(home, cli)
    cli.run("consume", "audit", "--once")
    refused = cli.run("consume", "audit", "--once", "--rewind", "start", "--reapply", check=False)
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        "error: consumer group audit does not declare reapply=True: applying its events twice is not "
        "known to be harmless, so a rewind skips what it applied"
    ]
    assert rows(home / "hub.db", "SELECT count(*) FROM audit_log") == [(15,)]
    assert cli.run("consume", "audit", "--once", "--reapply", check=False).returncode == 2


def test_reapply_applies_again_on_purpose(home: Path) -> None:
    cli = HubCli(hub_env(home, HUB_CONSUMER_MODULES="tests.support.custom_groups"))
    fill(home, cli)
    assert "15 applied, 0 skipped" in cli.run("consume", "test-last-status", "--once").stdout
    skipped = cli.run("consume", "test-last-status", "--once", "--rewind", "start").stdout
    assert "0 applied, 15 skipped" in skipped
    again = cli.run("consume", "test-last-status", "--once", "--rewind", "start", "--reapply").stdout
    assert "applying every event again" in again and "15 applied, 0 skipped" in again
    db = home / "hub.db"
    assert rows(db, "SELECT DISTINCT times FROM test_last_status") == [(STEPS * 2,)]
    assert rows(db, "SELECT count(*) FROM test_last_status WHERE sequence = ?", STEPS) == [(ORDERS,)]


@pytest.fixture
def admin(kafka: KafkaNode) -> KafkaAdminClient:
    return KafkaAdminClient(bootstrap_servers=kafka.bootstrap)


def test_rewind_on_kafka_with_a_live_member_says_what_to_do(
    home: Path, kafka: KafkaNode, admin: KafkaAdminClient
) -> None:
    prefix = f"r{uuid.uuid4().hex[:8]}."
    env = hub_env(home, HUB_BROKER_URL=kafka.url, HUB_TOPIC_PREFIX=prefix)
    cli = HubCli(env)
    fill(home, cli)
    member = HubProcess(env, ["consume", "audit"], home / "member.log").start()
    try:
        wait_for(
            lambda: rows(home / "hub.db", "SELECT count(*) FROM audit_log") == [(15,)],
            timeout=60,
            message="the member applied the log",
        )
        busy = cli.run("consume", "audit", "--once", "--rewind", "start", check=False)
        assert busy.returncode == 2, busy.stderr
        lines = busy.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in busy.stderr
        assert lines[0].startswith(
            "error: consumer group audit has 1 live member(s) (on 127.0.0.1): stop them"
        )
    finally:
        assert member.signal(signal.SIGTERM) == 0
    replay = cli.run("consume", "audit", "--once", "--rewind", "start").stdout
    assert "audit: read 15 record(s): 0 applied, 15 skipped as already applied" in replay
    admin.close()
