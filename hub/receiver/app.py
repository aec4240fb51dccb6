"""POST /webhooks/{connector} and GET /healthz."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

import orjson
from fastapi import FastAPI, Request, Response
from starlette.requests import ClientDisconnect

from hub import tracing
from hub.clock import utcnow
from hub.connectors.signatures import SignatureError, SignedRequest
from hub.ids import valid_traceparent
from hub.intake.committer import GroupCommitter
from hub.intake.delivery import Receipt
from hub.jsonio import MalformedJSON, loads
from hub.receiver.endpoints import WebhookEndpoint

log = logging.getLogger(__name__)


def _json(status: int, body: dict[str, Any]) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


async def _read_capped(request: Request, limit: int) -> bytes | None:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return None
    # The ASGI messages themselves, not request.stream(): an async generator per request costs more
    # than the whole read of a webhook-sized body.
    chunks, size = [], 0
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _log_receipt(connector: str, receipt: Receipt) -> None:
    """One line per delivery, never the payload: its id (for `hub quarantine show ID`), and why when held."""
    if receipt.status == "accepted":
        log.info("delivery %s to %s: accepted, %d event(s)", receipt.inbox_id, connector, receipt.events)
    elif receipt.status == "duplicate":
        log.info("delivery to %s: duplicate of one already stored, nothing new", connector)
    elif receipt.status == "quarantined":
        log.warning("delivery %s to %s: quarantined: %s", receipt.inbox_id, connector, receipt.reason)
    else:
        log.info("delivery %s to %s: %s: %s", receipt.inbox_id, connector, receipt.status, receipt.reason)


def create_app(
    endpoints: Mapping[str, WebhookEndpoint],
    committer: GroupCommitter,
    *,
    health: Callable[[], dict[str, Any]] | None = None,
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        committer.start()
        try:
            yield
        finally:
            committer.stop()

    app = FastAPI(title="hub webhook receiver", lifespan=lifespan, docs_url=None, redoc_url=None)

    @app.get("/healthz")
    async def healthz() -> Response:
        checks = health() if health else {}
        return _json(200, {"status": "ok", "connectors": sorted(endpoints), **checks})

    @app.post("/webhooks/{connector}")
    async def receive(connector: str, request: Request) -> Response:
        endpoint = endpoints.get(connector)
        if endpoint is None:
            return _json(404, {"error": f"unknown connector {connector!r}", "known": sorted(endpoints)})
        body = await _read_capped(request, endpoint.max_body)
        if body is None:
            log.info("refused delivery to %s: 413, body over %d bytes", connector, endpoint.max_body)
            return _json(413, {"error": f"body larger than {endpoint.max_body} bytes"})
        if endpoint.is_verification(request.headers.get("content-type"), body):
            return Response(status_code=endpoint.verified_status)
        scope = request.scope  # path and query as the server parsed them; request.url would rebuild a URL
        try:
            endpoint.verify(
                SignedRequest(
                    request.method,
                    scope["path"],
                    scope["query_string"].decode(),
                    request.headers,
                    body,
                )
            )
        except SignatureError as exc:
            log.info("refused delivery to %s: 401, %s", connector, exc)
            return _json(401, {"error": str(exc)})
        try:
            payload = loads(body)
        except MalformedJSON as exc:
            log.info("refused delivery to %s: 400, %s", connector, exc)
            return _json(400, {"error": str(exc)})
        delivery = endpoint.delivery(
            body,
            payload,
            utcnow(),
            request.headers.get("content-type"),
            # The request's span (receiver/observe.py) when tracing is on: the events continue its trace.
            tracing.current_traceparent() or valid_traceparent(request.headers.get("traceparent")),
            request.headers,
        )
        try:
            receipt = await committer.submit(delivery)
        except Exception:
            log.exception("could not store a delivery to %s", connector)
            return _json(503, {"error": "could not store the delivery; retry later"})
        _log_receipt(connector, receipt)
        return _json(200, {"status": receipt.status, "inbox_id": receipt.inbox_id, "events": receipt.events})

    return app
