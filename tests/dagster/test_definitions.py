"""The generated definitions, as names a YAML edit changes: a snapshot for the bundled project, and the
jobs and schedules a connector's `streams:` and `actions:` add with no Python."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import dagster as dg
import pytest

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


KESTREL = textwrap.dedent(
    """\
    type: connector
    name: kestrel
    title: Kestrel Market
    streams:
      - name: orders
        schedule: "*/15 * * * *"
      - name: returns
        schedule: "0 * * * *"
      - name: catalog
    actions:
      - name: acknowledge_order
      - name: set_inventory
    """
)


def test_streams_and_actions_in_yaml_add_jobs_and_schedules(tmp_path: Path) -> None:
    project = scratch_project(tmp_path / "project")
    (project / "connectors" / "kestrel").mkdir()
    (project / "connectors" / "kestrel" / "connector.yaml").write_text(KESTREL)
    tiktok = project / "connectors" / "tiktok" / "connector.yaml"
    tiktok.write_text(tiktok.read_text() + "streams:\n  orders:\n    schedule: '5 4 * * *'\n")

    added = set(describe(load_defs(project)).splitlines()) - set(describe(load_defs(tmp_path)).splitlines())

    assert added == {
        "job kestrel__pull_orders",
        "job kestrel__pull_returns",
        "job kestrel__pull_catalog",
        "job kestrel__push_inventory",
        "job tiktok__pull_orders",
        "schedule kestrel__pull_orders_schedule */15 * * * * -> kestrel__pull_orders",
        "schedule kestrel__pull_returns_schedule 0 * * * * -> kestrel__pull_returns",
        "schedule tiktok__pull_orders_schedule 5 4 * * * -> tiktok__pull_orders",
    }
    schedule = load_defs(project).resolve_schedule_def("kestrel__pull_orders_schedule")
    assert schedule.execution_timezone == "UTC"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING


def test_a_bad_cron_names_the_file_and_stream(tmp_path: Path) -> None:
    folder = tmp_path / "connectors" / "kestrel"
    folder.mkdir(parents=True)
    (folder / "connector.yaml").write_text(KESTREL.replace('"0 * * * *"', '"hourly"'))
    with pytest.raises(Exception) as raised:
        load_defs(tmp_path)
    chain: list[str] = []
    error: BaseException | None = raised.value
    while error is not None:
        chain.append(str(error))
        error = error.__cause__ or error.__context__
    assert any(f"{folder}/connector.yaml: streams.returns.schedule 'hourly'" in m for m in chain)


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
