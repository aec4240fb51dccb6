"""One webhook endpoint per connector: verification and delivery metadata, built once at start-up."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.connectors.signatures import Verifier, build_verifier
from hub.connectors.verification import IsVerification, compile_verification
from hub.credentials import Secret
from hub.intake.delivery import Delivery
from hub.intake.identity import Identity, delivery_identity
from hub.project import Connector, Project


@dataclass(frozen=True)
class WebhookEndpoint:
    connector: Connector
    verify: Verifier
    max_body: int
    identity: Identity
    # The platform's unsigned "webhook saved" request: answered `verified_status`, stored nowhere.
    is_verification: IsVerification = lambda _content_type, _body: False
    verified_status: int = 200

    def delivery(
        self,
        body: bytes,
        payload: Any,
        received_at: datetime,
        content_type: str | None,
        traceparent: str | None,
        headers: Mapping[str, str] | None = None,
    ) -> Delivery:
        dedupe_key, account = self.identity.of(payload, body, headers)
        return Delivery(
            connector=self.connector.name,
            body=body,
            payload=payload,
            dedupe_key=dedupe_key,
            received_at=received_at,
            account=account,
            content_type=content_type,
            traceparent=traceparent,
            route=self.identity.route(payload, headers),
            headers=self.identity.headers(headers),
        )


def build_endpoints(
    project: Project, secrets: dict[str, dict[str, list[Secret]]]
) -> dict[str, WebhookEndpoint]:
    endpoints = {}
    for name, connector in project.connectors.items():
        webhook, identity = connector.webhook, delivery_identity(connector)
        if webhook is None or identity is None:
            continue
        endpoints[name] = WebhookEndpoint(
            connector=connector,
            verify=build_verifier(webhook.signature, secrets.get(name, {})),
            max_body=webhook.max_body_bytes,
            identity=identity,
            is_verification=compile_verification(webhook.verification),
            verified_status=webhook.verification.status if webhook.verification else 200,
        )
    return endpoints
