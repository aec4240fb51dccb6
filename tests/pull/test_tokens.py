"""An expired access token is refreshed once for every concurrent worker, threads and processes alike."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from hub.api.client import ApiClient, Call
from hub.config import Settings
from hub.pull.service import PullService
from hub.wiring import load_project, open_store
from tests.support.hubproc import HubCli, hub_env
from tests.support.paths import REPO
from tests.support.sandbox import SandboxServer

WORKERS = 6


def test_an_expired_token_is_refreshed_once_for_all_workers(home: Path, sandbox: SandboxServer) -> None:
    sandbox.seed("walmart", 30, spread_s=600)
    env = hub_env(home, **sandbox.env())
    HubCli(env).run("pull", "walmart")
    assert sandbox.tokens()["walmart"]["refreshes"] == 1

    sandbox.admin("expire_tokens", {"marketplace": "walmart"})
    settings = Settings.from_env(env)
    store = open_store(settings)
    service = PullService(load_project(settings), store, env)
    account = service.account("walmart", None)
    barrier = threading.Barrier(WORKERS + 1)
    answers: list[int] = []

    def worker() -> None:
        # A client of its own per thread: its own token source, sharing only the store, like a process.
        client = ApiClient(store, account, rate_limits=False)
        barrier.wait()
        answers.append(client.send(Call("getAllOrders", {}, {"limit": "5"})).status_code)

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for t in threads:
        t.start()
    other = subprocess.Popen(
        [sys.executable, "-m", "hub", "pull", "walmart", "--since", "1h"],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    barrier.wait()
    for t in threads:
        t.join(60)
    assert other.wait(120) == 0, other.stdout.read().decode() if other.stdout else ""
    store.dispose()

    assert answers == [200] * WORKERS
    assert sandbox.tokens()["walmart"]["refreshes"] == 2, "one refresh for all workers"
    refused = [r for r in sandbox.requests() if r["marketplace"] == "walmart" and r["status"] == 401]
    assert refused, "the workers saw the expiry"


def test_a_token_near_its_expiry_is_refreshed_before_use(home: Path, sandbox: SandboxServer) -> None:
    sandbox.seed("amazon", 3, spread_s=600)
    env = hub_env(home, **sandbox.env())
    cli = HubCli(env)
    cli.run("pull", "amazon", "--stream", "orders_2026")
    # The store's token is moved to within the refresh margin: the next call refreshes first.
    import sqlite3

    with sqlite3.connect(home / "hub.db") as conn:
        conn.execute("UPDATE api_tokens SET expires_at = expires_at - 3500 WHERE connector='amazon'")
    cli.run("pull", "amazon", "--stream", "orders_2026")
    assert sandbox.tokens()["amazon"]["refreshes"] == 2
    assert not [r for r in sandbox.requests() if r["marketplace"] == "amazon" and r["status"] == 403]
