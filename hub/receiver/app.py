"""POST /webhooks/{connector}, GET /healthz (the process answers) and GET /readyz (it can store)."""

from __future__ import annotations

import asyncio
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
from hub.intake.isolation import describe
from hub.jsonio import MalformedJSON, loads
from hub.receiver.checkout import CheckoutEndpoint, add_checkout_routes
from hub.receiver.endpoints import WebhookEndpoint
from hub.receiver.observe import WebhookCounts, count_unrouted
from hub.store.probe import StoreHealth

log = logging.getLogger(__name__)

# A readiness probe that takes longer than this is a failed one: the orchestrator asking wants an answer.
READY_TIMEOUT_S = 10.0


def _json(status: int, body: dict[str, Any]) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


async def _read_capped(request: Request, limit: int) -> bytes | None:
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
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


def create_app(
    endpoints: Mapping[str, WebhookEndpoint],
    committer: GroupCommitter,
    *,
    ready: Callable[[], StoreHealth] | None = None,
    checkout: CheckoutEndpoint | None = None,
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        committer.start()
        try:
            yield
        finally:
            committer.stop()

    # No redirect of /webhooks/x/ to /webhooks/x: a sender would POST twice for one delivery, or not at all.
    app = FastAPI(
        title="hub webhook receiver",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        redirect_slashes=False,
    )
    counts = WebhookCounts(endpoints)
    count_unrouted(app, counts)

    async def receive(request: Request) -> Response:
        connector: str = request.path_params["connector"]
        endpoint = endpoints.get(connector)
        if endpoint is None:
            # The configured connectors are not listed: the caller has not shown it is any of them.
            return _refused(counts.label(connector), 404, "unknown connector")
        try:
            body = await _read_capped(request, endpoint.max_body)
        except ClientDisconnect:
            # Nobody is left to answer, and nothing was stored: one line, not the server's traceback of
            # an unhandled exception (Starlette's 500) for what clients that time out do routinely.
            log.info("delivery to %s: the client left before its body arrived; nothing stored", connector)
            counts.count(connector, "disconnected")
            return Response(status_code=400)
        if body is None:
            log.info("refused delivery to %s: 413, body over %d bytes", connector, endpoint.max_body)
            return _refused(connector, 413, f"body larger than {endpoint.max_body} bytes")
        headers = request.headers  # Starlette's scan their raw list per lookup: each header is read once
        content_type = headers.get("content-type")
        if endpoint.is_verification(content_type, body):
            counts.count_verification(connector, endpoint.verified_status)  # answered and not stored
            return Response(status_code=endpoint.verified_status)
        scope = request.scope  # path and query as the server parsed them; request.url would rebuild a URL
        try:
            endpoint.verify(
                SignedRequest(
                    request.method,
                    scope["path"],
                    # Bytes as sent, whatever they are: the signature covers them, not a decoding.
                    scope["query_string"].decode("utf-8", "surrogateescape"),
                    headers,
                    body,
                )
            )
        except SignatureError as exc:
            log.info("refused delivery to %s: 401, %s", connector, exc)
            return _refused(connector, 401, str(exc))
        except Exception:  # a check that breaks on what a caller sent refuses it: nothing unverified is kept
            log.exception("refused delivery to %s: its signature could not be checked", connector)
            return _refused(connector, 401, "signature could not be checked")
        try:
            payload = loads(body)
        except MalformedJSON as exc:
            log.info("refused delivery to %s: 400, %s", connector, exc)
            return _refused(connector, 400, str(exc))
        delivery = endpoint.delivery(
            body,
            payload,
            utcnow(),
            content_type,
            # The request's span (FastAPI's instrumentation) when tracing is on: the events go on in it.
            (tracing.enabled() and tracing.current_traceparent())
            or valid_traceparent(headers.get("traceparent")),
            headers,
        )
        try:
            receipt = await committer.submit(delivery)
        except Exception as exc:  # the store could not commit: nothing of this request is stored
            log.error("could not store a delivery to %s: %s", connector, describe(exc))
            return _refused(connector, 503, "could not store the delivery; retry later")
        # The committer logs what each group commit stored (hub.intake.committer), a line per batch.
        counts.count(connector, receipt.status)
        return _json(200, {"status": receipt.status, "inbox_id": receipt.inbox_id, "events": receipt.events})

    # A Starlette route, not a FastAPI one: the endpoint reads the raw request and declares no
    # parameter, and FastAPI's per-request dependency solving and validation of the path parameter cost
    # more than the endpoint's own reading of the request. The app's middleware, exception handlers and
    # server span (FastAPI's telemetry, at the app) are the same for it. Added first: the route nearly
    # every request takes is matched first.
    app.router.add_route("/webhooks/{connector}", receive, methods=["POST"], include_in_schema=False)

    # HEAD too: load balancers and uptime monitors probe with it.
    @app.api_route("/healthz", methods=["GET", "HEAD"])
    async def healthz() -> Response:
        return _json(200, {"status": "ok"})

    @app.api_route("/readyz", methods=["GET", "HEAD"])
    async def readyz() -> Response:
        """Ready when the store commits (a write rolled back, on a new connection) and the relay's lag is
        known. Blocking I/O, so off the event loop; the details of a failure go to the log only."""
        if ready is None:
            return _json(200, {"status": "ready"})
        try:
            health = await asyncio.wait_for(asyncio.to_thread(ready), READY_TIMEOUT_S)
        except Exception as exc:  # the driver's error, or the timeout
            log.warning("not ready: the store cannot commit: %s", describe(exc))
            return _json(503, {"status": "not ready", "store": "cannot commit"})
        return _json(200, {"status": "ready", "store": "ok", "outbox_lag_s": health.outbox_lag_s})

    def _refused(connector: str, status: int, error: str) -> Response:
        counts.count_status(connector, status)
        return _json(status, {"error": error})

    if checkout is not None:
        add_checkout_routes(app, checkout)
    return app
