"""The Dagster webserver and daemon, headless on a free port, as `hub up` starts them: a replay backfill over
three days launched through the GraphQL API reaches a fresh consumer group with exactly those days'
events, each once; a failed run becomes an alert `hub alerts` shows; and Chromium shows the connector
jobs, their schedules and the finished backfill (screenshots in test-artifacts/dagster/)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest

from hub.config import Settings
from hub.ui import LOCATION, DagsterUI
from hub.wiring import open_broker, open_store
from tests.dagster.conftest import PROBE_MODULE, scratch_project
from tests.infra.ports import free_port
from tests.support.dated import audited, commit_days, day, publish
from tests.support.hubproc import HubCli, wait_for
from tests.support.paths import REPO

pytestmark = [pytest.mark.dagster, pytest.mark.slow]

ARTIFACTS = REPO / "test-artifacts" / "dagster"
REPLAY = {"path": ["hub", "event_replay"]}
PER_DAY = (3, 4, 5, 2, 6)  # events on days 0..4; the backfill covers days 1..3

LAUNCH = """mutation($params: LaunchBackfillParams!) { launchPartitionBackfill(backfillParams: $params) {
  __typename ... on LaunchBackfillSuccess { backfillId } ... on PythonError { message }
  ... on InvalidSubsetError { message } ... on UnauthorizedError { message } } }"""
RUN = """mutation($params: ExecutionParams!) { launchRun(executionParams: $params) {
  __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message }
  ... on RunConfigValidationInvalid { errors { message } } } }"""
RUN_STATUS = """query($id: ID!) { runOrError(runId: $id) { __typename ... on Run { status }
  ... on RunNotFoundError { message } ... on PythonError { message } } }"""
STATUS = """query($id: String!) { partitionBackfillOrError(backfillId: $id) {
  ... on PartitionBackfill { status numPartitions } ... on PythonError { message } } }"""


@dataclass
class Deployment:
    ui: DagsterUI
    env: dict[str, str]
    settings: Settings
    events: dict[str, datetime]
    ready_s: float
    replay: str = ""  # the three-day backfill into a fresh group, through the API
    failing: str = ""  # a run of one day into a group that does not exist
    clicked: str = ""  # a two-day backfill into another fresh group, launched as a person does

    def graphql(self, query: str, **variables: Any) -> dict[str, Any]:
        answer = httpx.post(
            f"{self.ui.url}/graphql", json={"query": query, "variables": variables}, timeout=30
        )
        body: dict[str, Any] = answer.json()
        assert "errors" not in body, body["errors"]
        return body["data"]  # type: ignore[no-any-return]

    def backfill(self, days: list[str], group: str) -> str:
        params = {
            "assetSelection": [REPLAY],
            "partitionNames": days,
            "runConfigData": {"ops": {"hub__event_replay": {"config": {"group": group}}}},
            "title": f"replay into {group}",
        }
        launched = self.graphql(LAUNCH, params=params)["launchPartitionBackfill"]
        assert launched["__typename"] == "LaunchBackfillSuccess", launched
        return str(launched["backfillId"])

    def run(self, job: str, day: str, group: str) -> str:
        params = {
            "selector": {
                "repositoryLocationName": LOCATION,
                "repositoryName": "__repository__",
                "jobName": job,
            },
            "runConfigData": {"ops": {"hub__event_replay": {"config": {"group": group}}}},
            "executionMetadata": {"tags": [{"key": "dagster/partition", "value": day}]},
        }
        launched = self.graphql(RUN, params=params)["launchRun"]
        assert launched["__typename"] == "LaunchRunSuccess", launched
        return str(launched["run"]["runId"])

    def finished(self, backfill_id: str, timeout_s: float = 180) -> str:
        def status() -> str | None:
            found = self.graphql(STATUS, id=backfill_id)["partitionBackfillOrError"]
            return found["status"] if found["status"] not in ("REQUESTED", "CANCELING") else None

        return str(wait_for(status, timeout=timeout_s, interval=1, message=f"backfill {backfill_id}"))


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    root = tmp_path_factory.mktemp("ui")
    project = scratch_project(root / "project")  # tiktok: a scheduled pull stream and set_inventory
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUB_", "DAGSTER_"))}
    env.update(
        HUB_HOME=str(root / "home"),
        HUB_PROJECT=str(project),
        HUB_CONSUMER_MODULES=PROBE_MODULE,
        PYTHONPATH=str(REPO),  # run workers import the probe groups from tests/
    )
    settings = Settings.from_env(env)
    store, broker = open_store(settings), open_broker(settings)
    events = commit_days(store, PER_DAY)
    publish(store, broker)
    broker.close()
    store.dispose()

    ui = DagsterUI(settings, port=free_port()).start()
    try:
        ready_s = ui.wait_ready()
        deployment = Deployment(ui, env, settings, events, ready_s)
        # The run goes straight to the queue; the two backfills wait for the daemon's next pass (every
        # 30 s), launched one right after the other so that they share it.
        deployment.failing = deployment.run("replay_events", day(0).date().isoformat(), "no-such-group")
        deployment.clicked = launch_in_browser(ui.url, day(3), day(4), "replay-probe-2")
        deployment.replay = deployment.backfill(
            [day(n).date().isoformat() for n in (1, 2, 3)], "replay-probe"
        )
        yield deployment
    finally:
        print(f"\nDagster UI: ready in {ready_s:.1f} s, {ui.rss_bytes() / 2**20:.0f} MiB resident")
        ui.stop()


def test_replay_backfill_over_three_days_reaches_a_fresh_group_once(deployment: Deployment) -> None:
    assert deployment.finished(deployment.replay) == "COMPLETED_SUCCESS"

    store = open_store(deployment.settings)
    try:
        applied = audited(store, "replay-probe")
    finally:
        store.dispose()
    wanted = [e for e, at in deployment.events.items() if day(1) <= at < day(4)]
    assert len(wanted) == 4 + 5 + 2
    assert sorted(applied) == sorted(wanted)  # those days only, each once


def test_a_backfill_launched_in_the_ui_replays_those_days(deployment: Deployment) -> None:
    assert deployment.finished(deployment.clicked) == "COMPLETED_SUCCESS"
    store = open_store(deployment.settings)
    try:
        applied = audited(store, "replay-probe-2")
    finally:
        store.dispose()
    assert sorted(applied) == sorted(e for e, at in deployment.events.items() if day(3) <= at < day(5))


def test_a_failed_run_is_an_alert_in_hub_alerts(deployment: Deployment) -> None:
    def run_status() -> str | None:
        found = deployment.graphql(RUN_STATUS, id=deployment.failing)["runOrError"]
        assert found["__typename"] == "Run", found
        return str(found["status"]) if found["status"] in ("SUCCESS", "FAILURE", "CANCELED") else None

    assert wait_for(run_status, timeout=180, interval=1, message="the failing run") == "FAILURE"
    cli = HubCli(deployment.env)

    def alert() -> str | None:
        out = cli.run("alerts").stdout
        return out if "no-such-group" in out else None

    shown = wait_for(alert, timeout=120, interval=2, message="the run-failure alert")
    assert f"replay_events run {deployment.failing}" in shown
    assert "unknown consumer group 'no-such-group'" in shown


def test_the_ui_shows_connector_jobs_schedules_and_the_backfill(deployment: Deployment) -> None:
    from playwright.sync_api import sync_playwright

    backfill_id = deployment.replay
    deployment.finished(backfill_id)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pages = {
        "jobs": (f"/locations/{LOCATION}/jobs", ["tiktok__pull_orders", "tiktok__push_inventory"]),
        "schedules": ("/automation", ["tiktok__pull_orders_schedule"]),
        "backfill": (
            f"/runs/b/{backfill_id}",
            [backfill_id, "hub / event_replay", "Succeeded", "100% completed"],
        ),
    }
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            for name, (path, texts) in pages.items():
                page.goto(deployment.ui.url + path)
                for text in texts:
                    page.get_by_text(text, exact=False).first.wait_for(timeout=60_000)
                page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        finally:
            browser.close()
    assert all((ARTIFACTS / f"{n}.png").stat().st_size > 10_000 for n in pages)


def launch_in_browser(url: str, first: datetime, last: datetime, group: str) -> str:
    """Materialize… on the replay asset: a custom range of days, the group as config, Launch backfill."""
    from playwright.sync_api import sync_playwright

    config = f"ops:\\n  hub__event_replay:\\n    config:\\n      group: {group}\\n"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{url}/assets/hub/event_replay")
            page.get_by_role("button", name="Materialize").first.click()
            dialog = page.locator("[role=dialog]").first
            dialog.get_by_text("Show all partitions").click()  # older than the default 90 days
            days = dialog.locator("input").first
            days.fill(f"[{first.date().isoformat()}...{last.date().isoformat()}]")
            days.press("Enter")
            dialog.get_by_text(f"{(last - first).days + 1} partitions").wait_for()
            dialog.get_by_text("Config", exact=True).click()
            dialog.get_by_role("button", name="Add config").click()
            page.locator(".CodeMirror").first.wait_for()
            page.evaluate(f"document.querySelector('.CodeMirror').CodeMirror.setValue('{config}')")
            page.get_by_role("button", name="Save config").click()
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "launch-backfill.png"))
            page.get_by_role("button", name="Launch backfill").click()
            created = page.get_by_text("Created backfill")
            created.wait_for(timeout=60_000)
            return created.inner_text().split()[-1]
        finally:
            browser.close()


CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
