"""An SQS intake's settings, resolved from the connector's YAML and the environment at start-up."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hub.connectors.spec import EnvSetting, SqsIntake
from hub.credentials import Secret


class SqsSettingError(ValueError):
    """A setting is missing or unusable. The message names the variable, never a secret value."""


@dataclass(frozen=True)
class SqsConfig:
    connector: str
    intake: SqsIntake
    queue_url: str
    region: str
    endpoint_url: str | None
    wait_time_s: int
    visibility_timeout_s: int | None
    access_key_id: Secret | None = None  # None: boto3's default credential chain
    secret_access_key: Secret | None = None
    session_token: Secret | None = None

    @property
    def batch_size(self) -> int:
        return self.intake.batch_size


@dataclass(frozen=True)
class SqsOff:
    """An SQS intake whose queue is not configured here: `hub up` runs without it and says why."""

    connector: str
    reason: str


def _raw(value: str | int | EnvSetting | None, environ: Mapping[str, str], what: str) -> str | int | None:
    if not isinstance(value, EnvSetting):
        return value
    found = environ.get(value.env)
    if found:
        return found
    if value.default is not None:
        return value.default
    if value.optional:
        return None
    raise SqsSettingError(f"missing setting environment variable {value.env} ({what})")


def _text(value: str | int | EnvSetting | None, environ: Mapping[str, str], what: str) -> str | None:
    raw = _raw(value, environ, what)
    return None if raw is None else str(raw)


def _int(
    value: int | EnvSetting | None, environ: Mapping[str, str], what: str, low: int, high: int
) -> int | None:
    raw = _raw(value, environ, what)
    if raw is None:
        return None
    try:
        number = int(raw)
    except ValueError:
        raise SqsSettingError(f"{what} must be a whole number of seconds, not {raw!r}") from None
    if not low <= number <= high:
        raise SqsSettingError(f"{what} must be between {low} and {high} s, not {number}")
    return number


def _credentials(intake: SqsIntake, secrets: Mapping[str, list[Secret]], owner: str) -> dict[str, Any]:
    names = intake.credentials
    if names is None:
        return {}
    found = {
        "access_key_id": secrets.get(names.access_key_id),
        "secret_access_key": secrets.get(names.secret_access_key),
        "session_token": secrets.get(names.session_token) if names.session_token else None,
    }
    if bool(found["access_key_id"]) != bool(found["secret_access_key"]):
        raise SqsSettingError(
            f"{owner}: set both secrets.{names.access_key_id} and secrets.{names.secret_access_key}, "
            "or neither (then boto3's default credential chain applies)"
        )
    if not found["access_key_id"]:
        return {}
    return {k: v[0] for k, v in found.items() if v}


def resolve_sqs(
    connector: str, intake: SqsIntake, environ: Mapping[str, str], secrets: Mapping[str, list[Secret]]
) -> SqsConfig | SqsOff:
    owner = f"connector {connector}: intake sqs"
    queue_url = _text(intake.queue_url, environ, f"{owner}.queue_url")
    if queue_url is None:
        assert isinstance(intake.queue_url, EnvSetting)
        return SqsOff(connector, f"{intake.queue_url.env} is unset")
    region = _text(intake.region, environ, f"{owner}.region")
    if not region:
        raise SqsSettingError(f"{owner}.region is empty")
    wait = _int(intake.wait_time_s, environ, f"{owner}.wait_time_s", 0, 20)
    return SqsConfig(
        connector=connector,
        intake=intake,
        queue_url=queue_url,
        region=region,
        endpoint_url=_text(intake.endpoint_url, environ, f"{owner}.endpoint_url"),
        wait_time_s=20 if wait is None else wait,
        visibility_timeout_s=_int(
            intake.visibility_timeout_s, environ, f"{owner}.visibility_timeout_s", 0, 43_200
        ),
        **_credentials(intake, secrets, owner),
    )


def make_client(config: SqsConfig) -> Any:
    """A boto3 SQS client. Explicit keys when the connector has them, else boto3's own chain."""
    import boto3
    from botocore.config import Config

    keys: dict[str, str] = {}
    if config.access_key_id is not None and config.secret_access_key is not None:
        keys = {
            "aws_access_key_id": config.access_key_id.reveal(),
            "aws_secret_access_key": config.secret_access_key.reveal(),
        }
        if config.session_token is not None:
            keys["aws_session_token"] = config.session_token.reveal()
    return boto3.session.Session().client(
        "sqs",
        region_name=config.region,
        endpoint_url=config.endpoint_url,
        # The read timeout must outlast a long poll, or every empty wait would look like a failure.
        config=Config(connect_timeout=5, read_timeout=config.wait_time_s + 15, retries={"mode": "standard"}),
        **keys,
    )
