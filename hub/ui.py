"""The Dagster UI beside `hub up`: webserver and daemon (`dagster dev` on the pipelines code location),
a child process of the hub (hub/children.py), with the instance in HUB_HOME/dagster unless DAGSTER_HOME
names one.

`dagster dev` and its children stop on SIGINT only: stopping sends SIGINT to the whole group (as Ctrl-C
in a terminal would), then SIGKILL to whatever is left after a grace period; a killed `hub up` sends
SIGINT too (the parent-death signal), so it leaves no Dagster behind.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import IO

import httpx

from hub import children
from hub.config import Settings
from hub.dagster_home import dagster_home

log = logging.getLogger(__name__)

LOCATION = "hub"
WORKSPACE_YAML = """\
load_from:
  - python_module:
      module_name: pipelines.definitions
      location_name: hub
"""
_WORKSPACE = """{ workspaceOrError { __typename ... on Workspace { locationEntries { name loadStatus
  locationOrLoadError { __typename ... on PythonError { message } } } } ... on PythonError { message } } }"""


class UiFailed(RuntimeError):
    pass


class DagsterUI:
    def __init__(self, settings: Settings, *, host: str = "127.0.0.1", port: int = 3000) -> None:
        self.settings = settings
        self.host, self.port = host, port
        self.home = dagster_home(settings)
        self.log_file = self.home / "ui.log"
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def command(self) -> list[str]:
        """`python` arguments: `dagster dev` on the hub's workspace."""
        workspace = self.home / "workspace.yaml"
        workspace.write_text(WORKSPACE_YAML)
        return ["-m", "dagster", "dev", "-w", str(workspace), "--host", self.host, "--port", str(self.port)]

    def start(self) -> DagsterUI:
        self._log = self.log_file.open("ab")
        env = {**self.settings.environ, "DAGSTER_HOME": str(self.home)}
        self.process = children.start(self.command(), env=env, output=self._log, on_hub_death=signal.SIGINT)
        return self

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def loaded(self) -> bool:
        """True once the code location has loaded; raises UiFailed if it failed to load or dagster exited."""
        if not self.running():
            raise UiFailed(f"dagster exited; see {self.log_file}:\n{self.tail()}")
        try:
            answer = httpx.post(f"{self.url}/graphql", json={"query": _WORKSPACE}, timeout=5).json()
        except (httpx.HTTPError, ValueError):
            return False
        workspace = answer.get("data", {}).get("workspaceOrError", {})
        entries = workspace.get("locationEntries") or []
        for entry in entries:
            error = entry.get("locationOrLoadError") or {}
            if error.get("__typename") == "PythonError":
                raise UiFailed(f"code location {entry['name']} failed to load: {error.get('message')}")
        return bool(entries) and all(e.get("loadStatus") == "LOADED" for e in entries)

    def wait_ready(self, timeout_s: float = 180) -> float:
        """Block until the UI answers with the code location loaded; return the seconds it took."""
        began = time.monotonic()
        while not self.loaded():
            if time.monotonic() - began > timeout_s:
                raise UiFailed(f"the Dagster UI did not load within {timeout_s:.0f} s; see {self.log_file}")
            time.sleep(0.5)
        return time.monotonic() - began

    def rss_bytes(self) -> int:
        """Resident memory of every process of the group (dagster dev, webserver, daemon, code server)."""
        if self.process is None:
            return 0
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[2]) == self.process.pid:  # the process group id
                    total += int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
            except (OSError, IndexError, ValueError):
                continue
        return total

    def tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, grace_s: float = 30) -> None:
        process, self.process = self.process, None
        # SIGKILL follows for the webserver, daemon, code server or run still there.
        if process is not None and not children.stop(process, signal.SIGINT, grace_s):
            log.warning("the Dagster UI did not stop within %.0f s of SIGINT; killed it", grace_s)
        if self._log is not None:
            self._log.close()
            self._log = None


def start_beside_hub(settings: Settings, *, host: str, port: int) -> DagsterUI | None:
    """`hub up`'s UI: started in the background, its address printed at once and again when it is
    ready. Without the `ui` extra installed the hub runs on without it, and says how to get it."""
    if importlib.util.find_spec("dagster_webserver") is None:
        log.warning("Dagster UI: not installed (pip install 'commerce-hub[ui]'); running without it")
        return None
    ui = DagsterUI(settings, host=host, port=port).start()
    log.info("Dagster UI: %s (starting; its log: %s)", ui.url, ui.log_file)

    def announce() -> None:
        try:
            log.info("Dagster UI ready at %s (%.0f s)", ui.url, ui.wait_ready())
        except UiFailed as exc:
            if ui.process is not None:  # not stopped on purpose meanwhile
                log.error("Dagster UI: %s", exc)

    threading.Thread(target=announce, name="dagster-ui", daemon=True).start()
    return ui
