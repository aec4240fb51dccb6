"""Real `hub relay` processes on one PostgreSQL store: three share the shards, one is SIGKILLed while
events flow, and still every event reaches the log with each key's events first appearing in commit
order. Retention cleanup runs inside `hub relay` and as `hub cleanup --once`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hub.broker.factory import open_broker
from hub.broker.port import Broker
from hub.store import Store
from hub.store.tables import consumer_inbox
from hub.store.tables import outbox as outbox_table
from tests.contract.feed import commit_rounds, committed, first_appearances, logged
from tests.infra import PostgresServer, fresh_database
from tests.support.hubproc import HubCli, hub_env, wait_for
from tests.support.paths import REPO


class RelayProcess:
    def __init__(self, env: dict[str, str], log_file: Path) -> None:
        self.log_file = log_file
        self._log = log_file.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hub", "relay"],
            env=env,
            cwd=REPO,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def owns(self, owner: str | None) -> bool:
        return owner is not None and owner.split(":")[1] == str(self.process.pid)

    def signal(self, sig: int) -> int:
        os.killpg(self.process.pid, sig)
        code = self.process.wait(timeout=30)
        self._log.close()
        return code

    def output(self) -> str:
        return self.log_file.read_text(errors="replace")


@pytest.fixture
def database(postgres: PostgresServer) -> str:
    return fresh_database(postgres, f"r_{uuid.uuid4().hex[:12]}")


@pytest.fixture
def store(database: str) -> Iterator[Store]:
    store = Store(database)
    store.migrate()
    yield store
    store.dispose()


@pytest.fixture
def env(home: Path, database: str) -> dict[str, str]:
    return hub_env(home, HUB_DATABASE_URL=database, HUB_BROKER_URL=f"sqlite:///{home}/log.db")


@pytest.fixture
def broker(home: Path) -> Iterator[Broker]:
    broker = open_broker(f"sqlite:///{home}/log.db")
    yield broker
    broker.close()


def holders(store: Store) -> dict[str | None, int]:
    with store.read_only() as uow:
        counts: dict[str | None, int] = {}
        for lease in uow.leases.all():
            counts[lease.owner] = counts.get(lease.owner, 0) + 1
        return counts


def backlog(store: Store) -> int:
    with store.read_only() as uow:
        return uow.outbox.backlog()


def test_three_relays_one_killed_midway_publish_everything_in_per_key_order(
    store: Store, env: dict[str, str], home: Path, broker: Broker
) -> None:
    keys = [f"{i:04d}" for i in range(300)]
    total = commit_rounds(store, keys, rounds=2, per_tx=25, run="before")
    relays = [RelayProcess(env, home / f"relay-{n}.log") for n in range(3)]
    try:
        wait_for(
            lambda: len(holders(store)) == 3 and None not in holders(store), timeout=60, message="3 shares"
        )
        total += commit_rounds(store, keys, rounds=3, per_tx=25, run="while-three")
        victim = relays[0]
        assert victim.signal(signal.SIGKILL) == -signal.SIGKILL
        total += commit_rounds(store, keys, rounds=5, per_tx=25, run="after-kill")
        wait_for(lambda: backlog(store) == 0, timeout=60, message="an empty outbox")
        assert not any(victim.owns(owner) for owner in holders(store))  # its shards were taken over
        for relay in relays[1:]:
            assert relay.signal(signal.SIGTERM) == 0, relay.output()
    finally:
        for relay in relays:
            if relay.process.poll() is None:
                relay.signal(signal.SIGKILL)

    events = logged(broker)
    assert total == len(keys) * 10 == len({e.id for e in events})
    assert first_appearances(events) == committed(store)
    assert holders(store) == {None: 64}  # the survivors handed their shards back on SIGTERM


def test_hub_relay_cleans_up_on_its_timer_and_hub_cleanup_once_on_demand(
    store: Store, env: dict[str, str], home: Path
) -> None:
    commit_rounds(store, [f"{i:03d}" for i in range(40)], rounds=3)
    with store.unit_of_work() as uow:
        uow.applied.claim("audit", [f"old-{i}" for i in range(2500)], time_ago(hours=2))
        uow.commit()
    relay = RelayProcess(
        {**env, "HUB_RETENTION": "1s", "HUB_CLEANUP_EVERY": "1s"}, home / "relay-cleanup.log"
    )
    try:
        wait_for(lambda: count(store) == (0, 0), timeout=60, message="published rows and claims cleaned up")
    finally:
        assert relay.signal(signal.SIGTERM) == 0, relay.output()
    assert "cleanup: deleted" in relay.output()

    commit_rounds(store, ["late"], rounds=2)
    with store.unit_of_work() as uow:
        uow.outbox.mark_published([r.id for r in uow.outbox.pending(10)], time_ago(days=8))
        uow.applied.claim("audit", ["recent"], time_ago(hours=1))
        uow.commit()
    out = HubCli(env).run("cleanup", "--once").stdout
    assert "deleted 2 outbox row(s) and 0 consumer_inbox row(s) older than 7 days" in out
    assert count(store) == (0, 1)


def time_ago(**delta: float) -> datetime:
    return datetime.now(UTC) - timedelta(**delta)


def count(store: Store) -> tuple[int, int]:
    with store.transaction() as conn:
        rows = conn.execute(select(func.count()).select_from(outbox_table)).scalar_one()
        claims = conn.execute(select(func.count()).select_from(consumer_inbox)).scalar_one()
    return int(rows), int(claims)
