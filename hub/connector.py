"""One connector as loaded: its declarations, compiled mappings, and the readers intake routes with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hub.connectors.envelopes import Unwrap, UnwrapWithHeaders
from hub.connectors.shapes import Split
from hub.connectors.sources import Read
from hub.connectors.spec import ConnectorSpec, SqsIntake, WebhookIntake
from hub.mapping.compiler import CompiledMapping
from hub.mapping.parts import Parts, headers_read
from hub.mapping.result import Ignored


@dataclass(frozen=True)
class Connector:
    spec: ConnectorSpec
    folder: Path
    mappings: dict[str, CompiledMapping]
    routing_value: Read  # the routing field's (or header's) value
    unwrap: Unwrap
    split: Split
    unwrap_headers: UnwrapWithHeaders
    lookup: Callable[[Any], str | Ignored]
    parts: Parts = field(default_factory=Parts)
    enrich_keys: dict[str, Read] = field(default_factory=dict)  # route -> the key of its fetch

    @property
    def kept_headers(self) -> tuple[str, ...]:
        """The request headers the mappings read: intake keeps them with each stored delivery. Never the
        header that carries the signature or token (`hub lint` reports a mapping that reads it)."""
        secret = (self.secret_header or "").lower()
        return tuple(h for h in headers_read(self.parts.mappings) if h.lower() != secret)

    @property
    def secret_header(self) -> str | None:
        """The request header that carries the webhook's signature, token or password."""
        webhook = self.webhook
        return getattr(webhook.signature, "header", None) if webhook is not None else None

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def webhook(self) -> WebhookIntake | None:
        return next((i for i in self.spec.intake if isinstance(i, WebhookIntake)), None)

    @property
    def sqs(self) -> SqsIntake | None:
        return next((i for i in self.spec.intake if isinstance(i, SqsIntake)), None)

    def secret_refs(self) -> dict[str, list[str]]:
        return {name: ref.variables() for name, ref in self.spec.secrets.items()}

    def optional_secrets(self) -> set[str]:
        return {name for name, ref in self.spec.secrets.items() if ref.optional}
