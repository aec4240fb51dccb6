"""The pull state on PostgreSQL: two processes share the token, the rate budget and the stream lease
through it as they do through SQLite."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.infra import PostgresServer, fresh_database
from tests.support.hubproc import HubCli, hub_env
from tests.support.paths import REPO
from tests.support.sandbox import SandboxServer, project_copy


def test_two_pulls_share_token_budget_and_cursor_on_postgresql(
    tmp_path: Path, home: Path, sandbox: SandboxServer, postgres: PostgresServer
) -> None:
    database = fresh_database(postgres, f"p_{uuid.uuid4().hex[:12]}").replace("+psycopg", "")
    project = project_copy(
        tmp_path / "project",
        {
            "walmart:api.accounts.default.rate_limits": {"getAllOrders": {"rps": 4, "burst": 2}},
            "walmart:streams.orders.request.query": {"limit": "25"},
        },
    )
    sandbox.admin("limits", {"marketplace": "walmart", "operation": "getAllOrders", "rps": 4, "burst": 2})
    created = set(sandbox.seed("walmart", 300, spread_s=3600))
    env = hub_env(home, project, HUB_DATABASE_URL=database, **sandbox.env())
    cli = HubCli(env)
    cli.run("pull", "--status")
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "hub", "pull", "walmart", *extra],
            env=env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for extra in ([], ["--since", "2h"])
    ]
    outputs = [r.communicate(timeout=300)[0].decode() for r in runs]
    # One of them holds the stream's lease; the other is refused, or runs after it.
    assert sum(r.returncode == 0 for r in runs) >= 1, outputs
    calls = [r for r in sandbox.requests() if r["marketplace"] == "walmart"]
    assert [r for r in calls if r["throttled"]] == []
    assert len([r for r in calls if r["operation"] == "token"]) == 1
    cli.run("relay", "--once")
    placed = {
        line.split()[3].split(":", 1)[1]
        for line in cli.run("events").stdout.splitlines()
        if " OrderPlaced " in line
    }
    assert placed == created
    engine = create_engine(database.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        state = conn.execute(text("SELECT records, cursor IS NOT NULL, lease_owner FROM pull_state")).one()
        bucket = conn.execute(text("SELECT rps, burst FROM rate_buckets")).one()
    engine.dispose()
    assert state[0] >= 300 and state[1] and state[2] is None
    assert tuple(bucket) == (4.0, 2)
