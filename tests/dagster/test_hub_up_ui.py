"""`hub up` starts the Dagster webserver and daemon beside the receiver, prints the UI's address, and
takes them down with it: on SIGTERM, and when it is killed outright."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.infra.ports import free_port
from tests.support.hubproc import hub_env, wait_for
from tests.support.paths import REPO

pytestmark = [pytest.mark.dagster, pytest.mark.slow]


def dagster_processes(home: Path) -> list[int]:
    """Processes whose command line names this hub's Dagster instance."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if str(home / "dagster") in cmdline.read_bytes().decode(errors="replace"):
                found.append(int(cmdline.parent.name))
        except OSError:
            continue
    return found


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def jobs_at(ui_port: int) -> set[str]:
    query = "{ repositoriesOrError { ... on RepositoryConnection { nodes { jobs { name } } } } }"
    answer = httpx.post(f"http://127.0.0.1:{ui_port}/graphql", json={"query": query}, timeout=30).json()
    return {j["name"] for j in answer["data"]["repositoriesOrError"]["nodes"][0]["jobs"]}


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL])
def test_hub_up_runs_the_ui_and_takes_it_down(home: Path, stop: signal.Signals) -> None:
    env = {k: v for k, v in hub_env(home).items() if k != "HUB_NO_UI"}
    port, ui_port = free_port(), free_port()
    log = (home / "up.log").open("wb")
    hub = subprocess.Popen(
        [sys.executable, "-m", "hub", "up", "--port", str(port), "--ui-port", str(ui_port)],
        env=env,
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    output = lambda: (home / "up.log").read_text(errors="replace")  # noqa: E731
    try:
        wait_for(
            lambda: f"Dagster UI: http://127.0.0.1:{ui_port}" in output(), timeout=60, message="the address"
        )
        wait_for(lambda: _answers(f"http://127.0.0.1:{port}/healthz"), timeout=60, message="the receiver")
        if stop == signal.SIGTERM:  # the whole way: the code location loaded, its jobs listed
            wait_for(
                lambda: f"Dagster UI ready at http://127.0.0.1:{ui_port}" in output(),
                timeout=240,
                interval=1,
                message="the UI's ready line",
            )
            assert {"publish_outbox", "replay_events"} <= jobs_at(ui_port)
        else:  # killed as soon as the webserver answers
            wait_for(
                lambda: _answers(f"http://127.0.0.1:{ui_port}/server_info"),
                timeout=180,
                interval=0.5,
                message="the webserver",
            )
        assert dagster_processes(home)

        os.kill(hub.pid, stop)
        hub.wait(60)
        wait_for(lambda: not dagster_processes(home), timeout=60, interval=0.5, message="Dagster to stop")
    finally:
        if hub.poll() is None:
            os.killpg(hub.pid, signal.SIGKILL)
        for pid in dagster_processes(home):
            os.kill(pid, signal.SIGKILL)
        log.close()
