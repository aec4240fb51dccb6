"""POST /checkout and GET /checkout/{id}: the web shop's checkout through the saga.

Orchestrated: the saga runs while the request waits, up to `answer_within`; 201 when completed, 402 when
the payment was declined, 409 when it was compensated for another reason, 202 when it is still running
(a PSP that does not answer: the hub's resumer finishes it). Choreographed: 202 once it is started.
The same `checkout_id` again answers with the same saga.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import orjson
from fastapi import FastAPI, Request, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from hub.commerce.checkout.choreography import start
from hub.commerce.checkout.orchestrator import Orchestrator, open_saga
from hub.commerce.checkout.request import CheckoutRequest
from hub.commerce.checkout.service import describe, show_saga
from hub.commerce.checkout.settings import CheckoutSettings
from hub.domain.policy import InventoryPolicy
from hub.domain.saga import Status
from hub.jsonio import MalformedJSON, loads
from hub.store import Store
from hub.store.sagas import SagaRow

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024


class CheckoutEndpoint:
    def __init__(
        self,
        store: Store,
        policy: InventoryPolicy,
        settings: CheckoutSettings,
        answer_within: timedelta = timedelta(seconds=20),
    ) -> None:
        self.store = store
        self.settings = settings
        self.answer_within = answer_within
        self.orchestrator = (
            Orchestrator(store, policy, settings) if settings.variant == "orchestrated" else None
        )

    def run(self, request: CheckoutRequest) -> SagaRow:
        if self.orchestrator is None:
            return start(self.store, self.settings, request)
        saga_id, _ = open_saga(self.store, request, "orchestrated", self.settings.time_limit)
        stop = threading.Event()
        timer = threading.Timer(self.answer_within.total_seconds(), stop.set)
        timer.start()
        try:
            return self.orchestrator.run(saga_id, stop)
        finally:
            timer.cancel()


def _json(status: int, body: object, **headers: str) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json", headers=headers)


def _status(row: SagaRow) -> int:
    saga = row.saga
    if saga.status is Status.COMPLETED:
        return 201
    if saga.status is Status.COMPENSATED:
        return 409 if saga.authorize_tried or saga.payment_id else 402
    return 202


def add_checkout_routes(app: FastAPI, endpoint: CheckoutEndpoint) -> None:
    @app.post("/checkout")
    async def checkout(request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_BODY:
            return _json(413, {"error": f"body larger than {MAX_BODY} bytes"})
        try:
            wanted = CheckoutRequest.model_validate(loads(body))
        except MalformedJSON as exc:
            return _json(400, {"error": str(exc)})
        except ValidationError as exc:
            problems = [
                {"field": ".".join(map(str, e["loc"])), "problem": e["msg"]} for e in exc.errors()[:20]
            ]
            return _json(400, {"error": "not a checkout", "problems": problems})
        try:
            row = await run_in_threadpool(endpoint.run, wanted)
        except Exception:
            log.exception("checkout failed to start")
            return _json(503, {"error": "the checkout could not be started; retry with the same checkout_id"})
        return _json(_status(row), describe(row), Location=f"/checkout/{row.saga.saga_id}")

    @app.get("/checkout/{saga_id}")
    async def status(saga_id: str) -> Response:
        found = await run_in_threadpool(show_saga, endpoint.store, saga_id)
        if found is None:
            return _json(404, {"error": f"no checkout {saga_id!r}"})
        return _json(200, found)
