"""The generated definitions, as names a YAML edit changes: a snapshot for the bundled project, and the
jobs and schedules a connector's `streams:` and `actions:` add with no Python."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
import yaml

from tests.dagster.conftest import load_defs, scratch_project
from tests.support.paths import REPO

pytestmark = pytest.mark.dagster

SNAPSHOT = Path(__file__).with_name("definitions.snapshot.txt")


def describe(defs: dg.Definitions) -> str:
    repo = defs.get_repository_def()
    lines = [f"job {j.name}" for j in repo.get_all_jobs() if not j.name.startswith("__")]
    lines += [f"schedule {s.name} {s.cron_schedule} -> {s.job_name}" for s in repo.schedule_defs]
    lines += [f"sensor {s.name}" for s in repo.sensor_defs]
    graph = repo.asset_graph
    lines += [f"asset {k.to_user_string()}" for k in graph.get_all_asset_keys()]
    lines += [f"check {c.asset_key.to_user_string()}:{c.name}" for c in graph.asset_check_keys]
    return "\n".join(sorted(lines)) + "\n"


def test_snapshot_of_the_bundled_definitions(defs: dg.Definitions) -> None:
    """Set UPDATE_SNAPSHOT=1 to rewrite it after a deliberate change; review the diff."""
    found = describe(defs)
    if os.environ.get("UPDATE_SNAPSHOT"):
        SNAPSHOT.write_text(found)
    assert found == SNAPSHOT.read_text()


def edit_tiktok(project: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    """`change` applied to the scratch project's connectors/tiktok/connector.yaml; returns the file."""
    file = project / "connectors" / "tiktok" / "connector.yaml"
    doc = yaml.safe_load(file.read_text())
    change(doc)
    file.write_text(yaml.safe_dump(doc, sort_keys=False))
    return file


def test_streams_and_actions_in_yaml_add_jobs_and_schedules(tmp_path: Path) -> None:
    def without(doc: dict[str, Any]) -> None:
        del doc["streams"], doc["actions"]

    def more(doc: dict[str, Any]) -> None:
        orders = doc["streams"]["orders"]
        doc["streams"]["orders_hourly"] = {**orders, "schedule": "0 * * * *"}
        doc["streams"]["orders_by_hand"] = {k: v for k, v in orders.items() if k != "schedule"}

    bare = scratch_project(tmp_path / "bare")
    edit_tiktok(bare, without)
    declared = scratch_project(tmp_path / "declared")
    edit_tiktok(declared, more)

    added = set(describe(load_defs(declared)).splitlines()) - set(describe(load_defs(bare)).splitlines())

    assert added == {
        "job tiktok__pull_orders",
        "job tiktok__pull_orders_hourly",
        "job tiktok__pull_orders_by_hand",
        "job tiktok__push_inventory",
        "schedule tiktok__pull_orders_schedule */10 * * * * -> tiktok__pull_orders",
        "schedule tiktok__pull_orders_hourly_schedule 0 * * * * -> tiktok__pull_orders_hourly",
    }
    schedule = load_defs(declared).resolve_schedule_def("tiktok__pull_orders_hourly_schedule")
    assert schedule.execution_timezone == "UTC"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING


def test_a_bad_cron_names_the_file_line_and_stream(tmp_path: Path) -> None:
    def hourly(doc: dict[str, Any]) -> None:
        doc["streams"]["orders"]["schedule"] = "hourly"

    file = edit_tiktok(scratch_project(tmp_path), hourly)
    line = next(n for n, text in enumerate(file.read_text().splitlines(), 1) if "schedule: hourly" in text)
    with pytest.raises(Exception) as raised:
        load_defs(tmp_path)
    chain: list[str] = []
    error: BaseException | None = raised.value
    while error is not None:
        chain.append(str(error))
        error = error.__cause__ or error.__context__
    expected = f"{file}:{line}: streams.orders.schedule: 'hourly' is not a five-field cron string"
    assert any(expected in m for m in chain), chain


def test_dg_checks_the_project_layout(tmp_path: Path) -> None:
    """`dg check yaml` validates each defs.yaml against its component; `dg check defs` loads them all."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update(DAGSTER_HOME=str(tmp_path), HUB_PROJECT=str(REPO))
    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    dg_cli = Path(sys.executable).with_name("dg")
    for check in ("yaml", "defs"):
        result = subprocess.run(
            [str(dg_cli), "check", check], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stdout + result.stderr
