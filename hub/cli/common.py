"""What every verb shares: settings from the environment and errors printed as one clear line."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import Any, TypeVar

import click
import yaml

from hub.broker.port import GroupBusy
from hub.config import Settings
from hub.credentials import MissingSecret
from hub.project import ProjectInvalid
from hub.wiring import Unreachable

F = TypeVar("F", bound=Callable[..., Any])

_RELATIVE = re.compile(r"^(\d+)([smhd])$")


def settings() -> Settings:
    return Settings.from_env()


def friendly_errors(fn: F) -> F:
    """Known configuration problems end the command with a message, not a traceback."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ProjectInvalid as exc:
            click.echo(f"the project has {len(exc.issues)} problem(s):", err=True)
            for issue in exc.issues:
                click.echo(f"  {issue}", err=True)
            sys.exit(2)
        except (MissingSecret, GroupBusy, Unreachable, KeyError, ValueError, yaml.YAMLError) as exc:
            message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
            click.echo(f"error: {message}", err=True)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


def parse_time(value: str | None) -> datetime | None:
    """ISO 8601 (an offset is required, or Z) or a relative age like 15m, 2h, 7d."""
    if value is None:
        return None
    match = _RELATIVE.match(value.strip())
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        seconds = amount * {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit]
        return datetime.now(UTC) - timedelta(seconds=seconds)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is neither ISO 8601 nor an age like 15m or 2h") from None
    if parsed.tzinfo is None:
        raise click.BadParameter(f"{value!r} has no UTC offset; add Z or +00:00")
    return parsed.astimezone(UTC)
