"""A count of webhook requests by connector and outcome, as ASGI middleware so the endpoint stays as it is.

The request's server span is FastAPI's own (its OpenTelemetry support, on once hub.tracing configured a
provider); the endpoint hands that span's context to the delivery, and every event the delivery commits
carries it."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub import metrics

_PREFIX = "/webhooks/"
# Answers other than 200, by status; a 200 says its outcome in its body (accepted, duplicate, ...).
_OUTCOMES = {401: "refused", 413: "too_large", 400: "malformed", 404: "unknown_connector", 503: "unavailable"}


class Observe:
    def __init__(self, app: ASGIApp, connectors: Collection[str]) -> None:
        self.app = app
        self.connectors = connectors  # the receiver's live endpoints: a reload may add one

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith(_PREFIX):
            await self.app(scope, receive, send)
            return
        named = path[len(_PREFIX) :].strip("/")
        # A label per known connector only: a caller cannot make up label values.
        connector = named if named in self.connectors else "unknown"
        answer: dict[str, Any] = {}

        async def observed(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
            elif message["type"] == "http.response.body" and "outcome" not in answer:
                answer["outcome"] = _outcome(answer.get("status", 0), message.get("body", b""))
            await send(message)

        await self.app(scope, receive, observed)
        metrics.WEBHOOKS.labels(connector, answer.get("outcome", "none")).inc()


def _outcome(status: int, body: bytes) -> str:
    if status != 200:
        return _OUTCOMES.get(status, str(status))
    if not body:
        return "verification"  # a platform's unsigned "webhook saved" request, answered and not stored
    try:
        found = orjson.loads(body).get("status")
    except (orjson.JSONDecodeError, AttributeError):
        return "200"
    return str(found) if found else "200"
