"""/healthz says the process answers; /readyz says it can store: a write rolled back on a connection of
its own, and the relay's lag. A receiver whose database is gone is alive but not ready, and ready again
once the database is back. Tested by really taking the database away: the SQLite file's folder moved
away, a PostgreSQL cluster of the test's own stopped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from hub.store import Store
from hub.store.tables import inbox
from tests.infra import fresh_database, running_postgres
from tests.support.hubproc import HubServer, hub_env, wait_for
from tests.support.paths import sample
from tests.support.secrets import tiktok_signature

TEMPLATE: dict[str, Any] = json.loads(sample("tiktok", "webhook-1-ORDER_STATUS_CHANGE.json").read_text())


def deliver(server: HubServer, notification: str) -> httpx.Response:
    payload = json.loads(json.dumps(TEMPLATE))
    payload["tts_notification_id"] = notification
    payload["data"]["order_id"] = f"order-{notification}"
    body = json.dumps(payload).encode()
    headers = {"Authorization": tiktok_signature(body)}
    return httpx.post(f"{server.url}/webhooks/tiktok", content=body, headers=headers, timeout=30)


def ready(server: HubServer) -> httpx.Response:
    return httpx.get(f"{server.url}/readyz", timeout=30)


def alive(server: HubServer) -> int:
    return httpx.get(f"{server.url}/healthz", timeout=10).status_code


def test_sqlite_file_out_of_reach_is_not_ready_and_back_in_reach_is(tmp_path: Path, home: Path) -> None:
    folder = tmp_path / "db"
    env = hub_env(home, HUB_DATABASE_URL=f"sqlite:///{folder}/hub.db", HUB_CONNECTORS="tiktok")
    with HubServer(env, verb="receiver") as server:
        first = ready(server)
        assert first.status_code == 200
        assert first.json() == {"status": "ready", "store": "ok", "outbox_lag_s": None}

        assert deliver(server, "ready-1").json()["status"] == "accepted"
        lag = ready(server).json()["outbox_lag_s"]  # no relay runs beside `hub receiver`
        assert isinstance(lag, float) and lag >= 0

        folder.rename(tmp_path / "db-moved-away")
        gone = ready(server)
        assert gone.status_code == 503
        assert gone.json() == {"status": "not ready", "store": "cannot commit"}
        assert alive(server) == 200

        (tmp_path / "db-moved-away").rename(folder)
        assert ready(server).status_code == 200
    assert "not ready: the store cannot commit" in server.output()


def test_postgres_stopped_is_not_ready_refuses_with_503_and_stores_nothing_then_recovers(
    home: Path,
) -> None:
    with running_postgres() as cluster:
        url = fresh_database(cluster, "readiness")
        env = hub_env(home, HUB_DATABASE_URL=url, HUB_CONNECTORS="tiktok")
        with HubServer(env, verb="receiver") as server:
            assert ready(server).status_code == 200
            assert deliver(server, "before-stop").json()["status"] == "accepted"

            cluster.stop("fast")
            assert ready(server).status_code == 503
            assert alive(server) == 200
            during = deliver(server, "during-stop")
            assert during.status_code == 503
            assert during.json() == {"error": "could not store the delivery; retry later"}

            cluster.start()
            wait_for(lambda: ready(server).status_code == 200, timeout=60, message="ready again")
            assert deliver(server, "after-start").json()["status"] == "accepted"

        store = Store(url)
        try:
            with store.transaction() as conn:
                kept = sorted(conn.execute(select(inbox.c.dedupe_key)).scalars())
        finally:
            store.dispose()
        assert kept == ["after-start", "before-stop"]  # the 503 stored nothing
