"""hub_webhooks_total: webhook requests by connector and outcome, counted where the answer is made.

The endpoint counts its own answers; requests under /webhooks/ that no route takes (a wrong method, a
path below a connector's) are counted by the app's HTTP error handler. No middleware wraps the app: a
layer per request (its coroutine, a wrapped `send`, the answer's body parsed again for its outcome) cost
more than the count. The request's server span is FastAPI's own (its OpenTelemetry support, on once
hub.tracing configured a provider); the endpoint hands that span's context to the delivery, and every
event the delivery commits carries it."""

from __future__ import annotations

from collections.abc import Collection

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from prometheus_client import Counter
from starlette.exceptions import HTTPException

from hub import metrics

PREFIX = "/webhooks/"
# Answers other than 200, by status; a 200 says its outcome (accepted, duplicate, ...).
OUTCOMES = {401: "refused", 413: "too_large", 400: "malformed", 404: "unknown_connector", 503: "unavailable"}


class WebhookCounts:
    def __init__(self, connectors: Collection[str]) -> None:
        self.connectors = connectors  # the receiver's live endpoints: a reload may add one
        # Each labelled child looked up once: labels() takes a lock and validates the values every call.
        self._children: dict[tuple[str, str], Counter] = {}

    def label(self, named: str) -> str:
        """A label per known connector only: a caller cannot make up label values."""
        return named if named in self.connectors else "unknown"

    def count(self, connector: str, outcome: str) -> None:
        key = (connector, outcome)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metrics.WEBHOOKS.labels(connector, outcome)
        child.inc()

    def count_status(self, connector: str, status: int) -> None:
        self.count(connector, OUTCOMES.get(status, str(status)))

    def count_verification(self, connector: str, status: int) -> None:
        """A platform's "webhook saved" request: `verification` when answered 200; a connector that
        answers it otherwise (202, 204) is counted by that status, as any answer other than 200 is."""
        if status == 200:
            self.count(connector, "verification")
        else:
            self.count_status(connector, status)


def count_unrouted(app: FastAPI, counts: WebhookCounts) -> None:
    """Count the HTTP errors of requests under /webhooks/ that never reach the endpoint, then answer them
    as FastAPI does."""

    async def handler(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        path = request.scope.get("path", "")
        if path.startswith(PREFIX):
            counts.count_status(counts.label(path[len(PREFIX) :].strip("/")), exc.status_code)
        return await http_exception_handler(request, exc)

    app.add_exception_handler(HTTPException, handler)
