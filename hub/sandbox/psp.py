"""A sandbox payment provider for the checkout saga: authorize, capture, void, each recorded; a request
fails or hangs when its `X-Sandbox-Outcome` header (or a rule set for its reference) says so."""

from __future__ import annotations

import asyncio
import threading
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hub.sandbox.gate import json_response


class Psp:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calls: list[dict[str, Any]] = []
        self.payments: dict[str, dict[str, Any]] = {}
        self.by_key: dict[str, dict[str, Any]] = {}
        self.rules: dict[str, dict[str, Any]] = {}  # reference -> {"outcome": fail|hang, "seconds": s}

    async def _outcome(self, request: Request, reference: str | None) -> Response | None:
        rule = self.rules.get(reference or "", {})
        outcome = request.headers.get("X-Sandbox-Outcome") or rule.get("outcome")
        if outcome == "hang":
            await asyncio.sleep(float(rule.get("seconds", 30)))
            return json_response({"error": "timeout"}, 504)
        if outcome == "fail":
            return json_response({"error": "card_declined"}, 402)
        return None

    def _record(self, action: str, request: Request, body: Any, status: int) -> None:
        with self.lock:
            self.calls.append(
                {
                    "action": action,
                    "body": body,
                    "status": status,
                    "idempotency_key": request.headers.get("Idempotency-Key"),
                }
            )

    async def authorize(self, request: Request) -> Response:
        body = await request.json()
        key = request.headers.get("Idempotency-Key")
        if key and key in self.by_key:
            self._record("authorize", request, body, 200)
            return json_response(self.by_key[key])
        failed = await self._outcome(request, body.get("reference"))
        if failed is not None:
            self._record("authorize", request, body, failed.status_code)
            return failed
        payment = {
            "id": f"pay_{uuid.uuid4().hex[:16]}",
            "status": "authorized",
            "amount": str(body.get("amount")),
            "currency": body.get("currency"),
            "reference": body.get("reference"),
        }
        with self.lock:
            self.payments[payment["id"]] = payment
            if key:
                self.by_key[key] = payment
        self._record("authorize", request, body, 201)
        return json_response(payment, 201)

    async def _transition(self, request: Request, action: str, allowed: str, to: str) -> Response:
        payment = self.payments.get(request.path_params["payment_id"])
        if payment is None:
            self._record(action, request, None, 404)
            return json_response({"error": "no such payment"}, 404)
        failed = await self._outcome(request, payment.get("reference"))
        if failed is not None:
            self._record(action, request, None, failed.status_code)
            return failed
        if payment["status"] not in (allowed, to):
            self._record(action, request, None, 409)
            return json_response({"error": f"payment is {payment['status']}"}, 409)
        payment["status"] = to
        self._record(action, request, None, 200)
        return json_response(payment)

    async def capture(self, request: Request) -> Response:
        return await self._transition(request, "capture", "authorized", "captured")

    async def void(self, request: Request) -> Response:
        return await self._transition(request, "void", "authorized", "voided")

    def routes(self) -> list[Route]:
        return [
            Route("/psp/v1/authorizations", self.authorize, methods=["POST"]),
            Route("/psp/v1/authorizations/{payment_id}/capture", self.capture, methods=["POST"]),
            Route("/psp/v1/authorizations/{payment_id}/void", self.void, methods=["POST"]),
        ]
