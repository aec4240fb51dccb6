"""Pull benchmark: records per second pulled from the sandbox into the hub (rate limits off), next to a
plain httpx loop that fetches the same pages and does nothing else, in one run.

    .venv/bin/python bench/pull.py [--orders 3000] [--rounds 3] [--connector walmart|tiktok]

Starts `hub sandbox` on a free loopback port (a real server in its own process) and seeds it. Per round,
alternating the two:

baseline: httpx.Client: the token once, then every page of the stream (Walmart: GET /v3/orders, then
          each meta.nextCursor; TikTok: signed POST /order/202309/orders/search with page_token), the
          answers parsed as JSON and their records counted.
hub:      PullService.sync of the connector's `orders` stream into a fresh SQLite store: the same pages
          through the declared auth, signing and pagination, each record mapped and committed with its
          inbox row, outbox events and the stream's cursor (one transaction per page).

Both must see the same number of records, or the run stops. Medians are printed with the ratio. Not a
test: nothing asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from collections.abc import Callable  # noqa: E402
from datetime import UTC, datetime  # noqa: E402

from hub.api.signing import signature  # noqa: E402
from hub.config import Settings  # noqa: E402
from hub.credentials import Secret  # noqa: E402
from hub.project import Project  # noqa: E402
from hub.pull.service import PullService  # noqa: E402
from hub.sandbox.tiktok import SIGNING  # noqa: E402
from hub.wiring import load_project, open_store  # noqa: E402
from tests.support.sandbox import SandboxServer  # noqa: E402


def baseline_walmart(sandbox: SandboxServer, env: dict[str, str]) -> int:
    headers = {
        "WM_QOS.CORRELATION_ID": "bench",
        "WM_SVC.NAME": "Walmart Marketplace",
        "Accept": "application/json",
    }
    with httpx.Client(timeout=60) as client:
        token = client.post(
            f"{env['WALMART_TOKEN_URL']}",
            auth=(env["WALMART_CLIENT_ID"], env["WALMART_CLIENT_SECRET"]),
            data={"grant_type": "client_credentials"},
            headers=headers,
        ).json()["access_token"]
        headers["WM_SEC.ACCESS_TOKEN"] = token
        url: str | None = (
            f"{env['WALMART_API_URL']}/v3/orders?limit=200&createdStartDate=2000-01-01T00:00:00Z"
        )
        count = 0
        while url:
            page = client.get(url, headers=headers).json()["list"]
            count += len(page["elements"]["order"])
            rest = page["meta"].get("nextCursor")
            url = f"{env['WALMART_API_URL']}/v3/orders{rest}" if rest else None
    return count


def baseline_tiktok(sandbox: SandboxServer, env: dict[str, str]) -> int:
    secret = {"app_secret": Secret(env["TIKTOK_APP_SECRET"], "X")}
    with httpx.Client(timeout=60) as client:
        token = client.get(
            env["TIKTOK_TOKEN_URL"],
            params={
                "app_key": env["TIKTOK_APP_KEY"],
                "app_secret": env["TIKTOK_APP_SECRET"],
                "refresh_token": env["TIKTOK_REFRESH_TOKEN"],
                "grant_type": "refresh_token",
            },
        ).json()["data"]["access_token"]
        path = "/tiktok/order/202309/orders/search"
        body = b'{"update_time_ge":0}'
        page_token = ""
        count = 0
        while True:
            query = {"page_size": "100", "app_key": env["TIKTOK_APP_KEY"], "timestamp": str(int(time.time()))}
            if page_token:
                query["page_token"] = page_token
            query["sign"] = signature(SIGNING, secret, path=path, query=query, body=body)
            data = client.post(
                f"{sandbox.url}{path}",
                params=query,
                content=body,
                headers={"x-tts-access-token": token, "content-type": "application/json"},
            ).json()["data"]
            count += len(data["orders"])
            page_token = data["next_page_token"]
            if not page_token:
                return count


def hub_pull(connector: str, env: dict[str, str], project: Project, home: str) -> Callable[[], int]:
    """The pull, ready to run on a fresh store: the project is loaded and the store migrated before the
    clock starts (both happen once per process in `hub up`, not per sync)."""
    settings = Settings.from_env({**env, "HUB_HOME": home, "HUB_PROJECT": str(REPO)})
    store = open_store(settings)
    service = PullService(project, store, settings.environ, rate_limits=False)
    account = service.account(connector, None)

    def run() -> int:
        try:
            return service.sync(connector, "orders", account, since=datetime(2000, 1, 1, tzinfo=UTC)).records
        finally:
            store.dispose()

    return run


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connector", choices=["walmart", "tiktok"], default="walmart")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        sandbox = SandboxServer(Path(folder) / "sandbox.log").start()
        try:
            sandbox.seed(args.connector, args.orders, spread_s=3 * 86400)
            env = {**os.environ, **sandbox.env()}
            baseline = baseline_walmart if args.connector == "walmart" else baseline_tiktok
            rates: dict[str, list[float]] = {"baseline": [], "hub": []}
            project = load_project(Settings.from_env({**env, "HUB_PROJECT": str(REPO)}))
            for round_ in range(args.rounds):
                pulls = hub_pull(args.connector, env, project, str(Path(folder) / f"home-{round_}"))
                for name, run in (("baseline", lambda: baseline(sandbox, env)), ("hub", pulls)):
                    started = time.perf_counter()
                    records = run()
                    elapsed = time.perf_counter() - started
                    if records != args.orders:
                        raise SystemExit(f"{name} saw {records} records, not {args.orders}")
                    rates[name].append(records / elapsed)
        finally:
            sandbox.stop()
    base, hub = statistics.median(rates["baseline"]), statistics.median(rates["hub"])
    print(
        json.dumps(
            {
                "connector": args.connector,
                "orders": args.orders,
                "rounds": args.rounds,
                "baseline_records_per_s": round(base),
                "hub_records_per_s": round(hub),
                "hub_over_baseline": round(hub / base, 3),
                "load_average": os.getloadavg()[0],
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
