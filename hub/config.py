"""Settings from the environment: where state lives and which store and broker to use."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhd]?)$")
_UNIT_S = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def parse_duration(value: str, name: str = "duration") -> timedelta:
    """`90s`, `10m`, `12h`, `7d`, or plain seconds."""
    match = _DURATION.match(value.strip())
    if not match:
        raise ValueError(f"{name}={value!r} is not a duration like 90s, 10m, 12h or 7d")
    return timedelta(seconds=float(match.group(1)) * _UNIT_S[match.group(2)])


@dataclass(frozen=True)
class Settings:
    home: Path
    project: Path
    database_url: str
    broker_url: str
    partitions: int = 4
    topic_prefix: str = ""  # namespaces topics and group ids when several hubs share one Kafka cluster
    connectors: tuple[str, ...] | None = None  # None: every connector in the project
    # Published outbox rows and consumer dedupe rows older than this are deleted (see README: PostgreSQL).
    retention: timedelta = timedelta(days=7)
    cleanup_every: timedelta = timedelta(minutes=10)
    relay_lease_ttl: timedelta = timedelta(seconds=10)
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
            retention=parse_duration(env.get("HUB_RETENTION") or "7d", "HUB_RETENTION"),
            cleanup_every=parse_duration(env.get("HUB_CLEANUP_EVERY") or "10m", "HUB_CLEANUP_EVERY"),
            relay_lease_ttl=parse_duration(env.get("HUB_RELAY_LEASE_TTL") or "10s", "HUB_RELAY_LEASE_TTL"),
            environ=env,
        )

    def ensure_home(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
