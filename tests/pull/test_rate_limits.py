"""Rate budgets are shared through the store: two processes pulling the same operation for the same
account never exceed the declared rate, as the sandbox's request log (which enforces it) shows."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.hubproc import hub_env
from tests.support.paths import REPO
from tests.support.sandbox import SandboxServer, project_copy

RPS, BURST = 4.0, 2


def test_two_processes_share_one_budget(tmp_path: Path, home: Path, sandbox: SandboxServer) -> None:
    # Two streams over searchOrders (by update time and by creation time), one per process.
    project = project_copy(
        tmp_path / "project",
        {
            "tiktok:api.accounts.default.rate_limits": {"searchOrders": {"rps": RPS, "burst": BURST}},
            "tiktok:streams.orders.request.query": {"page_size": "40"},
            "tiktok:streams.by_creation": {
                "operation": "searchOrders",
                "request": {"query": {"page_size": "40"}, "body": {}},
                "shape": "orders",
                "dedupe": {
                    "type": "format",
                    "template": "order:{id}@{at}:{status}",
                    "args": {"id": "$.id", "at": "$.update_time", "status": "$.status"},
                },
                "pagination": {"type": "page_token", "from": "$.data.next_page_token", "param": "page_token"},
                "incremental": {
                    "cursor": "$.create_time",
                    "param": "create_time_ge",
                    "into": "body",
                    "format": "epoch_s",
                    "start": "7d",
                },
            },
        },
    )
    sandbox.admin(
        "limits", {"marketplace": "tiktok", "operation": "searchOrders", "rps": RPS, "burst": BURST}
    )
    sandbox.seed("tiktok", 400, spread_s=3600)
    env = hub_env(home, project, **sandbox.env())
    # Create the store first, so the two processes do not race on the migrations.
    subprocess.run(
        [sys.executable, "-m", "hub", "pull", "--status"], env=env, cwd=REPO, check=True, capture_output=True
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "hub", "pull", "tiktok", "--stream", stream],
            env=env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for stream in ("orders", "by_creation")
    ]
    outputs = [p.communicate(timeout=300)[0].decode() for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs

    searches = [r for r in sandbox.requests() if r["operation"] == "searchOrders"]
    assert len(searches) >= 20  # 400 orders, 40 a page, two walks
    assert [r for r in searches if r["throttled"]] == [], "the sandbox throttled: the budget was exceeded"
    assert all(r["status"] == 200 for r in searches)
    # And measured independently of the sandbox's bucket: at most BURST + RPS * t requests in any t seconds
    # (with a quarter second for the network).
    times = sorted(r["at"] for r in searches)
    for i, start in enumerate(times):
        for j in range(i, len(times)):
            span = times[j] - start
            assert j - i + 1 <= BURST + RPS * (span + 0.25), (i, j, span)
    assert all("rate wait" in out for out in outputs)


def test_without_the_shared_budget_the_sandbox_throttles(
    home: Path, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """The control: a budget above the marketplace's shows as throttled requests in the same log."""
    project = project_copy(tmp_path / "project", {"tiktok:streams.orders.request.query": {"page_size": "20"}})
    sandbox.admin("limits", {"marketplace": "tiktok", "operation": "searchOrders", "rps": 1, "burst": 1})
    sandbox.seed("tiktok", 100, spread_s=3600)
    env = hub_env(home, project, **sandbox.env())
    subprocess.run(
        [sys.executable, "-m", "hub", "pull", "tiktok"],
        env=env,
        cwd=REPO,
        check=True,
        capture_output=True,
        timeout=300,
    )
    assert [r for r in sandbox.requests() if r["throttled"]], "expected 429s from the sandbox"


def test_the_rate_follows_amazons_limit_header(home: Path, sandbox: SandboxServer) -> None:
    sandbox.admin("limits", {"marketplace": "amazon", "operation": "searchOrders", "rps": 2, "burst": 20})
    sandbox.seed("amazon", 3, spread_s=600)
    env = hub_env(home, **sandbox.env())
    subprocess.run(
        [sys.executable, "-m", "hub", "pull", "amazon", "--stream", "orders_2026"],
        env=env,
        cwd=REPO,
        check=True,
        capture_output=True,
        timeout=120,
    )
    import sqlite3

    with sqlite3.connect(home / "hub.db") as conn:
        told = conn.execute("SELECT rps, burst FROM rate_buckets WHERE operation = 'searchOrders'").fetchall()
    assert told == [(2.0, 20)]  # declared 0.0056 rps; x-amzn-RateLimit-Limit said 2
