"""A sandbox payment provider for the checkout saga: authorizations (with an expiry), captures and voids,
each call recorded; one reference's requests can be told to fail, hang, or lose their answer.

    python -m hub.sandbox.psp --port 8090 [--ttl 604800]

API (what hub/commerce/checkout/psp.py calls):
  POST /psp/v1/authorizations {amount, currency, reference}, header Idempotency-Key
       201 {id, status: authorized, amount, currency, reference, expires_at}; the same key again: the same
       payment (200); 402 {error: card_declined}; 504 after a hang
  POST /psp/v1/authorizations/{id}/void | /capture     200 the payment; 404; 409 {error: payment is ...}
Admin:
  POST /_sandbox/psp {reference, outcome: fail | hang | drop | ok, seconds}   (reference "*": every one)
       drop: the authorization is made, then its answer is lost (a hang, then 504)
  GET  /_sandbox/psp   {calls: [...], payments: [...]}
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


class Psp:
    def __init__(self, ttl_s: float = 7 * 86400) -> None:
        self.ttl_s = ttl_s
        self.calls: list[dict[str, Any]] = []
        self.payments: dict[str, dict[str, Any]] = {}
        self.by_key: dict[str, str] = {}  # idempotency key -> payment id
        self.rules: dict[str, dict[str, Any]] = {}
        self.locks: dict[str, asyncio.Lock] = {}

    def rule(self, reference: str | None) -> dict[str, Any]:
        return self.rules.get(reference or "", self.rules.get("*", {}))

    def view(self, payment: dict[str, Any]) -> dict[str, Any]:
        if payment["status"] == "authorized" and payment["expires_epoch"] < time.time():
            payment["status"] = "expired"
        return {k: v for k, v in payment.items() if k != "expires_epoch"}

    def record(
        self, action: str, key: str | None, reference: str | None, status: int, payment: str | None
    ) -> None:
        self.calls.append(
            {
                "action": action,
                "idempotency_key": key,
                "reference": reference,
                "status": status,
                "payment_id": payment,
                "at": datetime.now(UTC).isoformat(),
            }
        )


def create_app(psp: Psp) -> FastAPI:
    app = FastAPI(title="sandbox PSP", docs_url=None, redoc_url=None)

    @app.post("/psp/v1/authorizations")
    async def authorize(request: Request) -> JSONResponse:
        body = await request.json()
        key = request.headers.get("Idempotency-Key")
        reference = body.get("reference")
        lock = psp.locks.setdefault(key or uuid.uuid4().hex, asyncio.Lock())
        async with lock:  # the same key twice at once: the second waits for the first's answer
            if key and key in psp.by_key:
                payment = psp.payments[psp.by_key[key]]
                psp.record("authorize", key, reference, 200, payment["id"])
                return JSONResponse(psp.view(payment), 200)
            rule = psp.rule(reference)
            outcome = request.headers.get("X-Sandbox-Outcome") or rule.get("outcome", "ok")
            if outcome == "fail":
                psp.record("authorize", key, reference, 402, None)
                return JSONResponse({"error": "card_declined"}, 402)
            if outcome == "hang":
                await asyncio.sleep(float(rule.get("seconds", 30)))
                psp.record("authorize", key, reference, 504, None)
                return JSONResponse({"error": "timeout"}, 504)
            payment = {
                "id": f"pay_{uuid.uuid4().hex[:16]}",
                "status": "authorized",
                "amount": str(body.get("amount")),
                "currency": body.get("currency"),
                "reference": reference,
                "expires_epoch": time.time() + psp.ttl_s,
                "expires_at": datetime.fromtimestamp(time.time() + psp.ttl_s, UTC).isoformat(),
            }
            psp.payments[payment["id"]] = payment
            if key:
                psp.by_key[key] = payment["id"]
            if outcome == "drop":  # made, but the answer never arrives
                psp.record("authorize", key, reference, 504, payment["id"])
                await asyncio.sleep(float(rule.get("seconds", 30)))
                return JSONResponse({"error": "timeout"}, 504)
            psp.record("authorize", key, reference, 201, payment["id"])
            return JSONResponse(psp.view(payment), 201)

    async def transition(
        request: Request, payment_id: str, action: str, allowed: str, to: str
    ) -> JSONResponse:
        key = request.headers.get("Idempotency-Key")
        payment = psp.payments.get(payment_id)
        if payment is None:
            psp.record(action, key, None, 404, payment_id)
            return JSONResponse({"error": "no such payment"}, 404)
        reference = payment["reference"]
        if psp.rule(reference).get("outcome") == "hang":
            await asyncio.sleep(float(psp.rule(reference).get("seconds", 30)))
            psp.record(action, key, reference, 504, payment_id)
            return JSONResponse({"error": "timeout"}, 504)
        status = psp.view(payment)["status"]
        if status not in (allowed, to):
            psp.record(action, key, reference, 409, payment_id)
            return JSONResponse({"error": f"payment is {status}", "status": status}, 409)
        payment["status"] = to
        psp.record(action, key, reference, 200, payment_id)
        return JSONResponse(psp.view(payment), 200)

    @app.post("/psp/v1/authorizations/{payment_id}/void")
    async def void(payment_id: str, request: Request) -> JSONResponse:
        return await transition(request, payment_id, "void", "authorized", "voided")

    @app.post("/psp/v1/authorizations/{payment_id}/capture")
    async def capture(payment_id: str, request: Request) -> JSONResponse:
        return await transition(request, payment_id, "capture", "authorized", "captured")

    @app.get("/_sandbox/psp")
    async def state() -> JSONResponse:
        payments = [psp.view(p) for p in psp.payments.values()]
        return JSONResponse({"calls": psp.calls, "payments": payments, "rules": psp.rules})

    @app.post("/_sandbox/psp")
    async def set_rule(request: Request) -> JSONResponse:
        body = await request.json()
        if body.get("outcome", "ok") == "ok":
            psp.rules.pop(body["reference"], None)
        else:
            psp.rules[body["reference"]] = {"outcome": body["outcome"], "seconds": body.get("seconds", 30)}
        if "ttl_s" in body:
            psp.ttl_s = float(body["ttl_s"])
        return JSONResponse({"rules": psp.rules, "ttl_s": psp.ttl_s})

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="The sandbox payment provider.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--ttl", type=float, default=7 * 86400, help="Seconds an authorization lasts.")
    args = parser.parse_args()
    uvicorn.run(create_app(Psp(args.ttl)), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
