"""Settings from the environment: where state lives and which store and broker to use."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, TypeAdapter, ValidationError

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhd]?)$")
_UNIT_S = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


class SettingError(ValueError):
    """A setting from the environment is unusable. One line that names the variable."""


class NoProject(ValueError):
    """The hub was run outside a project folder, with nothing set that says where the project is."""


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def parse_duration(value: str) -> timedelta:
    """`90s`, `10m`, `12h`, `7d`, or plain seconds."""
    match = _DURATION.match(value.strip())
    if not match:
        raise ValueError("not a duration like 90s, 10m, 12h or 7d")
    return timedelta(seconds=float(match.group(1)) * _UNIT_S[match.group(2)])


def _positive(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        raise ValueError("must be longer than zero")
    return value


# What each kind of setting must be; pydantic parses and checks it.
Duration = Annotated[timedelta, BeforeValidator(lambda v: parse_duration(v) if isinstance(v, str) else v)]
PositiveDuration = Annotated[Duration, AfterValidator(_positive)]
Count = Annotated[int, Field(ge=1, strict=False)]


def _setting(env: Mapping[str, str], name: str, default: str, kind: Any) -> Any:
    """Variable `name` (or `default` when unset or empty) as `kind`, or a SettingError naming it."""
    raw = env.get(name) or default
    try:
        return TypeAdapter(kind).validate_python(raw)
    except ValidationError as exc:
        problem = exc.errors()[0]["msg"].removeprefix("Value error, ")
        raise SettingError(f"{name}={raw!r}: {problem}") from None


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
            partitions=_setting(env, "HUB_PARTITIONS", "4", Count),
            topic_prefix=env.get("HUB_TOPIC_PREFIX", ""),
            connectors=tuple(c.strip() for c in only.split(",") if c.strip()) if only else None,
            retention=_setting(env, "HUB_RETENTION", "7d", Duration),
            cleanup_every=_setting(env, "HUB_CLEANUP_EVERY", "10m", PositiveDuration),
            relay_lease_ttl=_setting(env, "HUB_RELAY_LEASE_TTL", "10s", PositiveDuration),
            environ=env,
        )

    def _where_project(self) -> str:
        if self.environ.get("HUB_PROJECT"):
            return f"HUB_PROJECT={self.environ['HUB_PROJECT']}"
        return "HUB_PROJECT is unset, so the current folder"

    def require_project(self) -> Path:
        """The project folder, if it holds at least one connector; NoProject otherwise."""
        if not any((self.project / "connectors").glob("*/connector.yaml")):
            raise NoProject(
                f"no connectors in {self.project} ({self._where_project()}): run hub in the project "
                "folder (the one holding connectors/ and mappings/), or set HUB_PROJECT to it"
            )
        return self.project

    def ensure_home(self, for_url: str | None = None) -> None:
        """Create HUB_HOME when a store or log file is kept there (`for_url`, or always when None). Never
        silently in a folder that is no project: run elsewhere, the hub says where it looked."""
        if self.home.exists():
            return
        if for_url is not None and not _inside(for_url, self.home):
            return
        if not self.environ.get("HUB_HOME") and not (self.project / "connectors").is_dir():
            raise NoProject(
                f"no hub state here: {self.home} does not exist and {self.project} is no project folder "
                f"({self._where_project()}; no connectors/). Run hub in the project folder, or set "
                "HUB_HOME (and HUB_PROJECT)"
            )
        self.home.mkdir(parents=True, exist_ok=True)


def _inside(url: str, home: Path) -> bool:
    """True for a sqlite URL whose file lies under `home`."""
    if not url.startswith("sqlite:///"):
        return False
    return Path(url.removeprefix("sqlite:///").split("?", 1)[0]).resolve().is_relative_to(home)
