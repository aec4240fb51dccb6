"""What the entry points call: start a checkout with the deployment's variant, and read sagas."""

from __future__ import annotations

from typing import Any

from hub.commerce.checkout.request import CheckoutRequest
from hub.commerce.checkout.settings import CheckoutSettings
from hub.domain.policy import InventoryPolicy
from hub.store import Store
from hub.store.sagas import SagaRow, Sagas


def checkout(
    store: Store, policy: InventoryPolicy, settings: CheckoutSettings, request: CheckoutRequest
) -> SagaRow:
    """Run the checkout with the deployment's variant. Orchestrated: until it is completed or compensated.
    Choreographed: it is started (its first event committed); the participants take it from there."""
    if settings.variant == "choreographed":
        from hub.commerce.checkout.choreography import start

        return start(store, settings, request)
    from hub.commerce.checkout.orchestrator import Orchestrator

    return Orchestrator(store, policy, settings).checkout(request)


def describe(row: SagaRow, steps: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    s = row.saga
    found: dict[str, Any] = {
        "saga_id": s.saga_id,
        "variant": s.variant,
        "status": s.status.value,
        "order_id": row.order_id,
        "amount": CheckoutRequest.model_validate(row.request).amount(),
        "currency": row.request["currency"],
        "payment_id": s.payment_id,
        "authorization_expires_at": s.authorization_expires_at.isoformat()
        if s.authorization_expires_at
        else None,
        "deadline": s.deadline.isoformat(),
        "reserved": s.reserved,
        "released": s.released,
        "voided": s.voided,
        "reason": s.reason,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }
    if steps is not None:
        found["steps"] = [
            {"at": x["at"].isoformat(), "step": x["step"], "outcome": x["outcome"], "detail": x["detail"]}
            for x in steps
        ]
    return found


def list_sagas(store: Store, status: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    with store.read_only() as uow:
        return [describe(row) for row in uow.get(Sagas).find(status, limit)]


def show_saga(store: Store, saga_id: str) -> dict[str, Any] | None:
    with store.read_only() as uow:
        repo = uow.get(Sagas)
        row = repo.get(saga_id)
        return describe(row, repo.steps(saga_id)) if row else None
