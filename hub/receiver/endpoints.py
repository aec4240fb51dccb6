"""One webhook endpoint per connector: verification and delivery metadata, built once at start-up."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.connectors.signatures import Verifier, build_verifier
from hub.credentials import Secret
from hub.intake.delivery import Delivery
from hub.mapping.paths import MISSING
from hub.mapping.values import Context, Scope, canonical
from hub.project import Connector, Project


@dataclass(frozen=True)
class WebhookEndpoint:
    connector: Connector
    verify: Verifier
    max_body: int

    def delivery(
        self,
        body: bytes,
        payload: Any,
        received_at: datetime,
        content_type: str | None,
        traceparent: str | None,
    ) -> Delivery:
        scope = Scope(payload, payload, Context(self.connector.name))
        return Delivery(
            connector=self.connector.name,
            body=body,
            payload=payload,
            dedupe_key=self._dedupe_key(scope, body),
            received_at=received_at,
            account=self._value(self.connector.account, scope),
            content_type=content_type,
            traceparent=traceparent,
        )

    def _dedupe_key(self, scope: Scope, body: bytes) -> str:
        # Some marketplaces omit their notification id; then the exact body is the identity.
        return self._value(self.connector.dedupe, scope) or "sha256:" + hashlib.sha256(body).hexdigest()

    @staticmethod
    def _value(fn: Any, scope: Scope) -> str | None:
        if fn is None:
            return None
        value = fn(scope)
        return None if value is MISSING or value is None else canonical(value)


def build_endpoints(
    project: Project, secrets: dict[str, dict[str, list[Secret]]]
) -> dict[str, WebhookEndpoint]:
    endpoints = {}
    for name, connector in project.connectors.items():
        webhook = connector.webhook
        if webhook is None:
            continue
        endpoints[name] = WebhookEndpoint(
            connector=connector,
            verify=build_verifier(webhook.signature, secrets.get(name, {})),
            max_body=webhook.max_body_bytes,
        )
    return endpoints
