"""Run a connector's declared action: the same auth, rate budgets and retries as the pulls, one call per
element of a `per` list, an idempotency key where the marketplace takes one, and the answer checked so a
partial failure names the elements (SKUs, lines) that failed. The CLI and the channel sync call this."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from hub.api.accounts import Account
from hub.api.client import ApiClient, Call, render_call
from hub.api.errors import ApiError
from hub.api.templates import TemplateError, Values, render
from hub.connectors.stream_spec import Action, Check
from hub.jsonio import dumps_exact, loads
from hub.project import Project
from hub.pull.records import field_of
from hub.pull.service import PullService
from hub.store import Store


@dataclass
class PushResult:
    connector: str
    action: str
    account: str
    calls: int = 0
    succeeded: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # element (SKU, line) -> why

    def describe(self) -> str:
        head = f"{self.connector} {self.action} (account {self.account}): {self.calls} call(s)"
        if not self.failed:
            return f"{head}, all accepted"
        parts = "; ".join(f"{k}: {v}" for k, v in self.failed.items())
        return f"{head}, {len(self.failed)} failed: {parts}"


class PushFailed(ApiError):
    def __init__(self, result: PushResult) -> None:
        super().__init__(result.describe())
        self.result = result


class PushService:
    def __init__(
        self, project: Project, store: Store, environ: Mapping[str, str], *, rate_limits: bool = True
    ):
        self.project = project
        self.pulls = PullService(project, store, environ, rate_limits=rate_limits)

    def run(
        self, connector: str, action: str, args: Mapping[str, Any], account: str | None = None
    ) -> PushResult:
        """Run one action; raise PushFailed (naming what failed) unless every part was accepted."""
        spec = self._action(connector, action)
        chosen = self.pulls.account(connector, account)
        values = Values(
            args=self._args(connector, action, spec, args), vars=chosen.vars, secrets=chosen.secrets
        )
        result = PushResult(connector, action, chosen.name)
        items: list[Any] = [None]
        if spec.per is not None:
            items = values.args[spec.per]
            if not isinstance(items, list) or not items:
                raise ValueError(f"{connector} {action}: argument {spec.per!r} must be a non-empty list")
        with httpx.Client(timeout=chosen.api.timeout_s) as http:
            client = ApiClient(self.pulls.store, chosen, http=http, rate_limits=self.pulls.rate_limits)
            for item in items:
                here = values.with_item(item) if isinstance(item, Mapping) else values
                name = str(render(spec.key, here)) if spec.key else action
                try:
                    self._call(client, chosen, spec, here, item, result, name)
                except (ApiError, TemplateError) as exc:
                    result.failed[name] = str(exc)
                result.calls += 1
        if result.failed:
            raise PushFailed(result)
        return result

    def set_inventory(
        self, connector: str, levels: list[dict[str, Any]], account: str | None = None
    ) -> PushResult:
        """What the channel sync calls: available quantity per SKU on one channel."""
        return self.run(connector, "set_inventory", {"levels": levels}, account)

    def _action(self, connector: str, action: str) -> Action:
        actions = self.project.connector(connector).spec.actions
        if action not in actions:
            raise KeyError(f"{connector} has no action {action!r}; known: {', '.join(actions) or 'none'}")
        return actions[action]

    def _args(self, connector: str, action: str, spec: Action, given: Mapping[str, Any]) -> dict[str, Any]:
        unknown = set(given) - set(spec.args)
        if unknown:
            raise ValueError(
                f"{connector} {action}: unknown argument(s) {sorted(unknown)}; known: {list(spec.args)}"
            )
        args = {k: render(v, Values()) for k, v in spec.defaults.items()} | dict(given)
        missing = [a for a in spec.args if a not in args]
        if missing:
            raise ValueError(f"{connector} {action}: missing argument(s) {missing} ({spec.args})")
        return args

    def _call(
        self,
        client: ApiClient,
        account: Account,
        spec: Action,
        values: Values,
        item: Any,
        result: PushResult,
        name: str,
    ) -> None:
        call = render_call(spec.operation, spec.request, values)
        if spec.idempotency is not None:
            # The same action with the same arguments sends the same key: a retry, or a rerun after a
            # crash, is a no-op at the marketplace.
            basis = dumps_exact([account.connector, account.name, spec.operation, values.args, item])
            key = hashlib.sha256(basis).hexdigest()[:32]
            call = Call(
                call.operation,
                call.path_params,
                call.query,
                call.body,
                headers={spec.idempotency.header: key},
            )
        response = client.send(call)
        if spec.check is not None:
            result.failed.update(_refused(spec.check, response, name))
        if name not in result.failed:
            result.succeeded.append(name)


def _refused(check: Check, response: httpx.Response, name: str) -> dict[str, str]:
    try:
        answer = loads(response.content) if response.content else {}
    except ValueError:
        return {name: "the answer is not JSON"}
    parts = field_of(answer, check.items) if check.items else [answer]
    if not isinstance(parts, list):
        parts = [parts]
    failed = {}
    for part in parts:
        status = field_of(part, check.status)
        if status not in check.ok:
            key = str(field_of(part, check.key)) if check.key else name
            why = field_of(part, check.message) if check.message else None
            failed[key if check.items else name] = f"{status}" + (f": {why}" if why else "")
    return failed
