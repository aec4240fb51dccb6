"""What a person sees when something is missing or away: one line that says what and where, a
non-zero exit, and nothing created as a side effect."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.infra import PostgresServer, free_port
from tests.support.hubproc import HubCli, hub_env
from tests.support.paths import sample


def hub_in(folder: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`hub ARGS` run from `folder` with none of the HUB_ variables set, as a new user would."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    return subprocess.run(
        [sys.executable, "-m", "hub", *args],
        cwd=folder,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def test_a_folder_without_connectors_is_named_with_hub_project(tmp_path: Path) -> None:
    for verb in (["lint"], ["up"], ["test"], ["quarantine", "retry", "--all"]):
        line = one_line_error(hub_in(tmp_path, *verb))
        assert f"no connectors in {tmp_path}" in line and "HUB_PROJECT" in line, verb
    line = one_line_error(hub_in(tmp_path, "lint", HUB_PROJECT=str(tmp_path / "nowhere")))
    assert f"HUB_PROJECT={tmp_path / 'nowhere'}" in line
    assert list(tmp_path.iterdir()) == []


def test_no_hub_folder_is_created_outside_a_project(tmp_path: Path) -> None:
    for verb in (["events"], ["quarantine", "ls"], ["consume", "audit", "--once"]):
        line = one_line_error(hub_in(tmp_path, *verb))
        assert f"no hub state here: {tmp_path / '.hub'} does not exist" in line, verb
    assert list(tmp_path.iterdir()) == []


def test_an_unreachable_store_is_one_line(tmp_path: Path, home: Path) -> None:
    url = f"postgresql://hub@127.0.0.1:{free_port()}/hub"
    result = HubCli(hub_env(home, HUB_DATABASE_URL=url)).run("quarantine", "ls", check=False)
    line = one_line_error(result)
    assert "cannot reach the store postgresql+psycopg://hub@127.0.0.1:" in line
    assert "(HUB_DATABASE_URL)" in line and "Connection refused" in line


def test_a_store_that_refuses_the_login_is_one_line(home: Path, postgres: PostgresServer) -> None:
    url = f"postgresql://nobody@127.0.0.1:{postgres.port}/hub"
    line = one_line_error(HubCli(hub_env(home, HUB_DATABASE_URL=url)).run("db", "current", check=False))
    assert "cannot reach the store" in line and '"nobody"' in line


def test_an_unreachable_broker_is_one_line(home: Path) -> None:
    url = f"kafka://127.0.0.1:{free_port()}?api_timeout_ms=2000"
    line = one_line_error(HubCli(hub_env(home, HUB_BROKER_URL=url)).run("events", check=False))
    assert f"cannot reach the broker {url} (HUB_BROKER_URL)" in line


def test_an_unknown_route_in_hub_map_is_one_line(cli: HubCli) -> None:
    payload = str(sample("tiktok", "webhook-1-ORDER_STATUS_CHANGE.json"))
    line = one_line_error(cli.run("map", "tiktok", payload, "--route", "order_stauts_change", check=False))
    assert "unknown route 'order_stauts_change' for connector tiktok; known: " in line
    assert "order_status_change" in line
