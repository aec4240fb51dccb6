"""A connector's API accounts resolved from the environment: each with its own secrets and settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from hub.connectors.api_spec import Api, Auth, RateLimit, Value
from hub.connectors.spec import ConnectorSpec
from hub.credentials import Secret


@dataclass(frozen=True)
class Account:
    connector: str
    name: str
    id: str
    base_url: str
    api: Api
    secrets: dict[str, Secret]  # the connector's secret names -> this account's values
    vars: dict[str, str] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)

    def rate_limit(self, operation: str) -> RateLimit | None:
        override = self.api.accounts[self.name].rate_limits.get(operation)
        return override or self.api.operations[operation].rate_limit

    def setting(self, value: Value, name: str) -> str:
        return self.settings.get(name) or resolve_value(value, self.env)

    env: Mapping[str, str] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class AccountOff:
    connector: str
    name: str
    reason: str


def resolve_value(value: Value, environ: Mapping[str, str]) -> str:
    if isinstance(value, str):
        return value
    found = environ.get(value.env) or value.default
    if found is None:
        raise ValueError(f"{value.env} is not set")
    return found


def auth_secrets(auth: Auth) -> list[str]:
    """The secret names an auth type needs (the connector-level names)."""
    names = [getattr(auth, f, None) for f in ("client_id", "client_secret", "refresh_token", "secret")]
    return [n for n in names if isinstance(n, str)]


def resolve_accounts(spec: ConnectorSpec, environ: Mapping[str, str]) -> list[Account | AccountOff]:
    api = spec.api
    if api is None:
        return []
    found: list[Account | AccountOff] = []
    needed = auth_secrets(api.auth) + ([api.signing.secret] if api.signing else [])
    for name, declared in api.accounts.items():
        renamed = {**{n: n for n in spec.secrets}, **declared.secrets}
        values: dict[str, Secret] = {}
        for logical, actual in renamed.items():
            ref = spec.secrets.get(actual)
            if ref is None:
                continue
            env = ref.variables()[0]
            if environ.get(env):
                values[logical] = Secret(environ[env], env)
        missing = [
            spec.secrets[renamed[n]].variables()[0]
            for n in needed
            if n not in values and renamed.get(n) in spec.secrets
        ]
        if missing:
            found.append(AccountOff(spec.name, name, f"unset: {', '.join(missing)}"))
            continue
        try:
            settings = {k: resolve_value(v, environ) for k, v in declared.settings.items()}
            account_id = resolve_value(declared.id, environ) if declared.id is not None else name
            found.append(
                Account(
                    connector=spec.name,
                    name=name,
                    id=account_id,
                    base_url=resolve_value(declared.base_url or api.base_url, environ).rstrip("/"),
                    api=api,
                    secrets=values,
                    vars={k: resolve_value(v, environ) for k, v in declared.vars.items()},
                    settings=settings,
                    env=environ,
                )
            )
        except ValueError as exc:
            found.append(AccountOff(spec.name, name, str(exc)))
    return found
