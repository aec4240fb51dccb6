"""Settings from the environment: where state lives and which store and broker to use."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


@dataclass(frozen=True)
class Settings:
    home: Path
    project: Path
    database_url: str
    broker_url: str
    partitions: int = 4
    topic_prefix: str = ""  # namespaces topics and group ids when several hubs share one Kafka cluster
    connectors: tuple[str, ...] | None = None  # None: every connector in the project
    environ: Mapping[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        home = Path(env.get("HUB_HOME") or "./.hub").resolve()
        project = Path(env.get("HUB_PROJECT") or ".").resolve()
        only = env.get("HUB_CONNECTORS")
        return cls(
            home=home,
            project=project,
            database_url=env.get("HUB_DATABASE_URL") or _sqlite_url(home / "hub.db"),
            broker_url=env.get("HUB_BROKER_URL") or _sqlite_url(home / "log.db"),
            partitions=int(env.get("HUB_PARTITIONS") or 4),
            topic_prefix=env.get("HUB_TOPIC_PREFIX", ""),
            connectors=tuple(c.strip() for c in only.split(",") if c.strip()) if only else None,
            environ=env,
        )

    def ensure_home(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
