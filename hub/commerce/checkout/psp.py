"""The payment provider, over HTTP (the sandbox PSP in hub/sandbox/psp.py speaks the same API). Every call
carries an idempotency key, so a retry after a timeout or a restart never authorizes twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import httpx


class PaymentDeclined(Exception):
    pass


class PaymentUnknown(Exception):
    """No answer (a timeout, a 5xx, no connection): the call may or may not have taken effect."""


@dataclass(frozen=True)
class Authorization:
    payment_id: str
    expires_at: datetime | None


class HttpPsp:
    def __init__(self, base_url: str, timeout_s: float) -> None:
        self.http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout_s)

    def authorize(self, key: str, amount: str, currency: str, reference: str) -> Authorization:
        answer = self._post(
            "/psp/v1/authorizations", key, {"amount": amount, "currency": currency, "reference": reference}
        )
        if answer.status_code == 402:
            raise PaymentDeclined(answer.json().get("error", "declined"))
        body = self._ok(answer)
        expires = body.get("expires_at")
        return Authorization(body["id"], datetime.fromisoformat(expires) if expires else None)

    def void(self, key: str, payment_id: str) -> None:
        """Give the authorization up; done as well when it was voided before or has expired."""
        answer = self._post(f"/psp/v1/authorizations/{payment_id}/void", key, None)
        if answer.status_code == 409 and answer.json().get("status") in ("voided", "expired"):
            return
        self._ok(answer)

    def _post(self, path: str, key: str, body: dict[str, str] | None) -> httpx.Response:
        try:
            return self.http.post(path, json=body, headers={"Idempotency-Key": key})
        except httpx.HTTPError as exc:
            raise PaymentUnknown(f"{type(exc).__name__}: {exc}") from None

    @staticmethod
    def _ok(answer: httpx.Response) -> dict[str, str]:
        if answer.status_code >= 500:
            raise PaymentUnknown(f"PSP answered {answer.status_code}")
        if answer.status_code >= 400:
            raise PaymentDeclined(f"PSP answered {answer.status_code}: {answer.text[:200]}")
        body: dict[str, str] = answer.json()
        return body

    def close(self) -> None:
        self.http.close()
