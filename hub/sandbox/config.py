"""connectors/<name>/sandbox.yaml: what the sandbox accepts and enforces for one marketplace."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field


class Limit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rps: float = Field(gt=0)
    burst: int = Field(ge=1)


class SandboxAccount(BaseModel):
    """One seller of the emulation: the refresh token (or client id) that names it, and its id."""

    model_config = ConfigDict(extra="forbid")
    id: str
    secrets: dict[str, str] = Field(description="What names this account: refresh_token, client_id, ...")


class SandboxSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    marketplace: str
    credentials: dict[str, str] = Field(description="Variables the hub needs, with the sandbox's values.")
    point: dict[str, str] = Field(description="Settings aimed at the sandbox; {sandbox} is its URL.")
    accounts: dict[str, SandboxAccount] = Field(default_factory=dict)
    token_ttl_s: int = 3600
    rate_limits: dict[str, Limit] = Field(default_factory=dict)
    rate_header: str | None = None
    retry_after: bool = Field(default=False, description="Whether its 429s carry Retry-After.")
    sample_orders: list[str] = Field(
        default_factory=list,
        description="Ids of orders the connector's sample notifications name, held (by the default "
        "account) beside the orders made at start: a sample sent to the hub is then completed by a fetch.",
    )


def load_specs(project: Path) -> dict[str, SandboxSpec]:
    specs = {}
    for path in sorted((project / "connectors").glob("*/sandbox.yaml")):
        spec = SandboxSpec.model_validate(yaml.safe_load(path.read_text()))
        specs[spec.marketplace] = spec
    return specs


def hub_environment(specs: dict[str, SandboxSpec], url: str) -> dict[str, dict[str, str]]:
    """Per connector: the variables that point it at the sandbox with the sandbox's credentials."""
    return {
        name: {**spec.credentials, **{k: v.replace("{sandbox}", url) for k, v in spec.point.items()}}
        for name, spec in specs.items()
    }
