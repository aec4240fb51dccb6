"""The checkout's steps and compensations, as both variants run them. Payment steps call the PSP with the
saga's idempotency keys; stock and order steps write in the caller's unit of work, with the saga's state."""

from __future__ import annotations

from datetime import datetime

from hub.commerce import reservations
from hub.commerce.checkout.psp import HttpPsp, PaymentDeclined, PaymentUnknown
from hub.commerce.checkout.request import CheckoutRequest
from hub.domain.errors import DomainRefused
from hub.domain.policy import InventoryPolicy
from hub.domain.saga import Outcome, Saga
from hub.events.orders import OrderPlaced
from hub.intake.emit import Origin, commit_drafts
from hub.mapping.drafts import draft_model
from hub.mapping.result import Draft
from hub.store import UnitOfWork

CHANNEL = "webshop"


def authorize(psp: HttpPsp, saga: Saga, request: CheckoutRequest) -> Outcome:
    try:
        found = psp.authorize(saga.key("authorize"), request.amount(), request.currency, saga.saga_id)
    except PaymentDeclined as exc:
        return Outcome("authorize", ok=False, detail=f"payment declined: {exc}")
    except PaymentUnknown as exc:
        return Outcome("authorize", ok=False, final=False, detail=f"payment provider: {exc}")
    return Outcome("authorize", ok=True, payment_id=found.payment_id, expires_at=found.expires_at)


def void(psp: HttpPsp, saga: Saga, request: CheckoutRequest) -> Outcome:
    """Void the authorization. Its id may be unknown (the answer was lost): asking again with the same
    idempotency key gives the one authorization made under it, or makes it, and that one is voided."""
    try:
        payment_id = saga.payment_id
        if payment_id is None:
            payment_id = psp.authorize(
                saga.key("authorize"), request.amount(), request.currency, saga.saga_id
            ).payment_id
        psp.void(saga.key("void"), payment_id)
    except PaymentDeclined:
        return Outcome("void", ok=True, detail="no authorization was made")
    except PaymentUnknown as exc:
        return Outcome("void", ok=False, final=False, detail=f"payment provider: {exc}")
    return Outcome("void", ok=True, payment_id=payment_id)


def reserve(
    uow: UnitOfWork, policy: InventoryPolicy, saga: Saga, request: CheckoutRequest, now: datetime
) -> Outcome:
    try:
        reservations.reserve(uow, policy, saga.saga_id, request.units(), now, channel=CHANNEL)
    except reservations.OutOfStock as exc:
        return Outcome("reserve", ok=False, detail=f"out of stock: {exc}")
    return Outcome("reserve", ok=True)


def release(uow: UnitOfWork, policy: InventoryPolicy, saga: Saga, now: datetime) -> Outcome:
    reservations.end(uow, policy, saga.saga_id, "released", now)
    return Outcome("release", ok=True)


def create_order(
    uow: UnitOfWork,
    policy: InventoryPolicy,
    saga: Saga,
    request: CheckoutRequest,
    order_id: str,
    now: datetime,
) -> Outcome:
    """The web shop's order: OrderPlaced through the order lifecycle (its sale takes the units), and the
    reservation consumed, in the caller's unit of work."""
    lines = request.order_lines()
    data = draft_model(OrderPlaced).model_validate(
        {
            "occurred_at": now,
            "channel": CHANNEL,
            "order_id": order_id,
            "channel_status": "payment_authorized",
            "placed_at": now,
            "customer_order_id": saga.saga_id,
            "fulfilled_by": "merchant",
            "lines": lines,
            "order_lines": lines,
            "total": {"amount": request.amount(), "currency": request.currency},
            "buyer_country": request.buyer_country,
        }
    )
    draft = Draft(json=data.model_dump(mode="json"), event=OrderPlaced, local_id="order")
    written = commit_drafts(uow, [(Origin(0, "checkout", saga.saga_id, None), [draft])], now, policy)[0]
    if isinstance(written, str):
        return Outcome("create_order", ok=False, detail=f"order refused: {written}")
    try:
        reservations.end(uow, policy, saga.saga_id, "consumed", now)
    except DomainRefused as exc:
        return Outcome("create_order", ok=False, detail=str(exc))
    return Outcome("create_order", ok=True)
