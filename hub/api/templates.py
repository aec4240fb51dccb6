"""Fill the request templates of connector.yaml (see hub/connectors/api_spec.py for the placeholders)."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from hub.credentials import Secret

_ONE = re.compile(r"^\{([a-z]+)(?::([^{}]+))?\}$")
_ANY = re.compile(r"\{([a-z]+)(?::([^{}]+))?\}")


class TemplateError(ValueError):
    pass


class Values:
    """What placeholders can name. Secrets are revealed only into the request being built."""

    def __init__(
        self,
        *,
        args: Mapping[str, Any] | None = None,
        vars: Mapping[str, str] | None = None,
        secrets: Mapping[str, Secret] | None = None,
        item: Mapping[str, Any] | None = None,
    ) -> None:
        self.args = dict(args or {})
        self.vars = dict(vars or {})
        self.secrets = dict(secrets or {})
        self.item = dict(item or {})

    def with_item(self, item: Mapping[str, Any]) -> Values:
        return Values(args=self.args, vars=self.vars, secrets=self.secrets, item=item)

    def lookup(self, kind: str, name: str | None) -> Any:
        if kind == "now":
            return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        if kind == "timestamp":
            return str(int(time.time()))
        if kind == "uuid":
            return str(uuid.uuid4())
        table: Mapping[str, Any] = {"arg": self.args, "var": self.vars, "item": self.item}.get(kind, {})
        if kind == "secret" and name in self.secrets:
            return self.secrets[name].reveal()
        if name is None or (kind != "secret" and name not in table):
            raise TemplateError(f"{{{kind}:{name}}} has no value")
        if kind == "secret":
            raise TemplateError(f"{{secret:{name}}} names no secret of this account")
        return table[name]


def render(template: Any, values: Values) -> Any:
    """A template filled in: placeholders replaced, `{each, item}` expanded, None values dropped."""
    if isinstance(template, str):
        whole = _ONE.match(template)
        if whole:
            return values.lookup(whole.group(1), whole.group(2))
        return _ANY.sub(lambda m: _text(values.lookup(m.group(1), m.group(2))), template)
    if isinstance(template, Mapping):
        if set(template) == {"each", "item"}:
            items = values.lookup("arg", str(template["each"]))
            if not isinstance(items, list):
                raise TemplateError(f"argument {template['each']!r} must be a list")
            return [
                render(template["item"], values.with_item(i if isinstance(i, Mapping) else {"value": i}))
                for i in items
            ]
        rendered = {str(k): render(v, values) for k, v in template.items()}
        return {k: v for k, v in rendered.items() if v is not None}
    if isinstance(template, list):
        return [render(v, values) for v in template]
    return template


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def render_strings(template: Mapping[str, Any], values: Values) -> dict[str, str]:
    """Query parameters and headers: every value a string; a None value leaves the key out."""
    rendered = render(dict(template), values)
    return {k: _text(v) for k, v in rendered.items() if v is not None}
