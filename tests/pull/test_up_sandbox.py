"""`hub up --sandbox` on an empty HUB_HOME: order events of all three marketplaces within 60 s, and a
TikTok OrderPlaced from a thin webhook carries its lines and total (fetched by the enrichment)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx

from tests.infra.ports import free_port
from tests.support.db import rows
from tests.support.hubproc import HubCli, HubServer, hub_env, wait_for
from tests.support.secrets import BUNDLED_SECRETS


def _orders_by_channel(cli: HubCli) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for line in cli.run("events", "--json").stdout.splitlines():
        data = json.loads(line)["data"]
        if "order_id" in data:
            found.setdefault(data["channel"], set()).add(data["order_id"])
    return found


def test_up_with_the_sandbox_gives_orders_of_every_marketplace(home: Path) -> None:
    env = hub_env(home, HUB_PULL_EVERY="1h")
    for name in BUNDLED_SECRETS:  # a new user: no credentials at all
        env.pop(name, None)
    sandbox_port = free_port()
    started = time.monotonic()
    server = HubServer(
        env, args=("--sandbox", "--sandbox-port", str(sandbox_port), "--sandbox-every", "3600")
    )
    with server:
        cli = HubCli(env)
        wait_for(
            lambda: {"amazon", "walmart", "tiktok"} <= set(_orders_by_channel(cli)),
            timeout=65,
            interval=1,
            message="order events of all three marketplaces",
        )
        assert time.monotonic() - started < 60
        banner = [" ".join(line.split()) for line in server.output().splitlines()]
        for connector in ("amazon", "walmart", "tiktok"):
            assert f"{connector} sandbox http://127.0.0.1:{sandbox_port}/{connector}" in banner

        # A new TikTok order announced only by its thin webhook (pulls wait an hour).
        sandbox = f"http://127.0.0.1:{sandbox_port}/_sandbox"
        order_id = httpx.post(
            f"{sandbox}/orders", json={"marketplace": "tiktok", "count": 1, "spread_s": 0, "notify": True}
        ).json()["orders"][0]
        expected = next(
            o
            for o in httpx.get(f"{sandbox}/orders?marketplace=tiktok").json()["orders"]
            if o["id"] == order_id
        )

        def placed() -> dict[str, object] | None:
            for line in cli.run("events", "--json").stdout.splitlines():
                event = json.loads(line)
                if event["type"] == "OrderPlaced" and event["data"]["order_id"] == order_id:
                    return event["data"]
            return None

        data = wait_for(placed, timeout=30, interval=1, message="the thin webhook's OrderPlaced")
        assert data["total"] == {"amount": expected["total"], "currency": "USD"}
        assert len(data["lines"]) >= expected["lines"] and all(line["sku"] for line in data["lines"])
        notification = rows(
            home / "hub.db", "SELECT status, note FROM inbox WHERE connector='tiktok' AND route IS NULL"
        )
        assert ("deferred", f"completed by getOrderDetail of {order_id}") in notification
    assert server.process is not None and server.process.returncode == 0
