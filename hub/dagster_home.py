"""The Dagster instance a hub uses: where Dagster keeps runs, schedules and backfills.

DAGSTER_HOME set in the environment names an instance someone manages (production: PostgreSQL storage,
see the README); it is used as it is. Otherwise the instance lives in HUB_HOME/dagster and the hub writes
its dagster.yaml on every start: SQLite storage beside the hub's own state, telemetry off, and a run queue
sized for a small machine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from hub.config import Settings

# Runs are subprocesses that import the whole code location; more at once only thrash two cores.
MAX_CONCURRENT_RUNS = 2


def local_config(home: Path) -> dict[str, Any]:
    return {
        "storage": {"sqlite": {"base_dir": str(home / "storage")}},
        "telemetry": {"enabled": False},
        "nux": {"enabled": False},
        "run_coordinator": {
            "module": "dagster._core.run_coordinator",
            "class": "QueuedRunCoordinator",
        },
        "concurrency": {"runs": {"max_concurrent_runs": MAX_CONCURRENT_RUNS}},
        # A loaded machine can take a minute to import the code location in a fresh process.
        "code_servers": {"local_startup_timeout": 180},
    }


def dagster_home(settings: Settings) -> Path:
    """The absolute DAGSTER_HOME to give the webserver, the daemon and in-process runs."""
    managed = settings.environ.get("DAGSTER_HOME")
    if managed:
        return Path(managed).resolve()
    home = (settings.home / "dagster").resolve()
    home.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(local_config(home), sort_keys=False)
    config = home / "dagster.yaml"
    if not config.exists() or config.read_text() != text:
        config.write_text(text)
    return home
