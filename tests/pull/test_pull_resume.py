"""A pull of 1,200 TikTok orders across 12 pages from the sandbox, with 429s injected and the sync
SIGKILLed in the middle, gives every order exactly once as events."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from tests.support.db import rows
from tests.support.hubproc import HubCli, hub_env, wait_for
from tests.support.paths import REPO
from tests.support.sandbox import SandboxServer, project_copy

ORDERS = 1200


def test_a_killed_pull_resumes_with_every_order_exactly_once(
    tmp_path: Path, home: Path, sandbox: SandboxServer
) -> None:
    # A budget of 3 searchOrders a second for this account keeps the walk slow enough to kill mid-way.
    project = project_copy(
        tmp_path / "project",
        {
            "tiktok:api.accounts.default.rate_limits": {"searchOrders": {"rps": 3, "burst": 1}},
        },
    )
    created = set(sandbox.seed("tiktok", ORDERS, spread_s=3600))
    sandbox.admin(
        "faults",
        {"marketplace": "tiktok", "operation": "searchOrders", "kind": "429", "count": 2, "retry_after": 1},
    )
    env = hub_env(home, project, **sandbox.env())
    cli = HubCli(env)
    db = home / "hub.db"

    first = subprocess.Popen(
        [sys.executable, "-m", "hub", "pull", "tiktok"],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for(lambda: db.exists() and _pages(db) >= 4, timeout=120, message="four pages stored")
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    stored_before = _pages(db)
    assert 4 <= stored_before < ORDERS // 100, f"the kill came too late: {stored_before} pages"
    walk = rows(db, "SELECT walk FROM pull_state WHERE connector='tiktok'")[0][0]
    assert walk is not None and json.loads(str(walk))["page"]["query"]["page_token"], "the walk was not kept"

    second = cli.run("pull", "tiktok", timeout=300)
    assert "rate wait" in second.stdout
    cli.run("relay", "--once")

    placed = Counter()
    for line in cli.run("events", "--json").stdout.splitlines():
        event = json.loads(line)
        if event["type"] == "OrderPlaced":
            placed[event["data"]["order_id"]] += 1
    assert set(placed) == created
    assert set(placed.values()) == {1}, [o for o, n in placed.items() if n > 1][:5]
    injected = [r for r in sandbox.requests() if r["injected"] == "429"]
    assert len(injected) == 2
    # The resumed walk did not start over: fewer searchOrders calls than two full walks.
    searches = [r for r in sandbox.requests() if r["operation"] == "searchOrders" and r["status"] == 200]
    assert len(searches) <= ORDERS // 100 + 2
    status = cli.run("pull", "--status").stdout
    assert "tiktok" in status and "ok" in status


def _pages(db: Path) -> int:
    found = rows(db, "SELECT pages FROM pull_state WHERE connector='tiktok'") if _has_table(db) else []
    return int(found[0][0]) if found else 0  # type: ignore[arg-type]


def _has_table(db: Path) -> bool:
    return bool(rows(db, "SELECT 1 FROM sqlite_master WHERE name='pull_state'"))


def test_one_sync_per_stream_and_account_at_a_time(
    tmp_path: Path, home: Path, sandbox: SandboxServer
) -> None:
    project = project_copy(
        tmp_path / "project",
        {
            # 10 pages at one every 3 s: the walk lasts long enough for a second `hub pull` to start.
            "tiktok:api.accounts.default.rate_limits": {"searchOrders": {"rps": 0.33, "burst": 1}},
            "tiktok:streams.orders.request.query": {"page_size": "20"},
        },
    )
    sandbox.seed("tiktok", 200, spread_s=3600)
    env = hub_env(home, project, **sandbox.env())
    HubCli(env).run("pull", "--status")  # the store exists before the two start
    first = subprocess.Popen(
        [sys.executable, "-m", "hub", "pull", "tiktok"],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    wait_for(lambda: _pages(home / "hub.db") >= 1, timeout=120, message="the first sync under way")
    second = HubCli(env).run("pull", "tiktok", check=False)
    assert first.wait(300) == 0
    assert second.returncode == 1
    assert "tiktok orders (default): tiktok orders (default) is being pulled by" in second.stderr
    searches = [r for r in sandbox.requests() if r["operation"] == "searchOrders"]
    assert len(searches) == 10  # one walk of 200 orders, 20 a page
