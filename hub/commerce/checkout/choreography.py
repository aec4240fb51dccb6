"""The choreographed checkout: no coordinator. Each participant reacts to the previous step's event on the
`checkout` topic and publishes its own; a failure event makes the participants that did something undo it.

    CheckoutRequested -> payment:   authorize  -> PaymentAuthorized | PaymentDeclined
    PaymentAuthorized -> inventory: reserve    -> StockReserved | StockUnavailable
    StockReserved     -> orders:    create     -> CheckoutOrderCreated | OrderCreationFailed
    StockUnavailable, OrderCreationFailed, CheckoutTimedOut -> payment: void -> PaymentVoided
    OrderCreationFailed, CheckoutTimedOut                   -> inventory: release -> StockReleased
    a saga past its deadline -> the timer: CheckoutTimedOut

Each participant is a consumer group. Its outside call (the PSP) runs before its transaction, with the
saga's idempotency key; its effect, its event and the saga's recorded state commit with the group's claim
of the event, so a redelivered event changes nothing. The saga's state is the same record the orchestrated
variant keeps (hub.domain.saga), so `hub sagas` shows both alike.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from hub.broker.port import Broker, Consumer, Record
from hub.clock import utcnow
from hub.commerce.checkout import steps
from hub.commerce.checkout.orchestrator import open_saga
from hub.commerce.checkout.psp import HttpPsp
from hub.commerce.checkout.request import CheckoutRequest
from hub.commerce.checkout.settings import CheckoutSettings
from hub.domain.policy import InventoryPolicy
from hub.domain.saga import Outcome, Saga, Status, next_step, record
from hub.events import Event
from hub.events import checkout as ev
from hub.intake.emit import Origin, commit_drafts
from hub.mapping.drafts import draft_model
from hub.mapping.result import Draft
from hub.retry import retry_until
from hub.store import Store, UnitOfWork
from hub.store.sagas import SagaRow, Sagas

log = logging.getLogger(__name__)

Effect = Callable[[UnitOfWork], None]


def start(store: Store, settings: CheckoutSettings, request: CheckoutRequest) -> SagaRow:
    """Open the saga and publish CheckoutRequested in one transaction (nothing if it was asked before)."""
    saga_id, created = open_saga(store, request, "choreographed", settings.time_limit)
    with store.unit_of_work() as uow:
        row = uow.get(Sagas).get(saga_id, lock=True)
        assert row is not None
        if created:
            lines = request.order_lines()
            total = {"amount": request.amount(), "currency": request.currency}
            fields = {"order_id": row.order_id, "total": total, "lines": lines, "deadline": row.saga.deadline}
            publish(uow, row.saga, ev.CheckoutRequested, "requested", **fields)
        uow.commit()
    return row


def publish(uow: UnitOfWork, saga: Saga, event: type[ev.CheckoutFact], step: str, **fields: Any) -> None:
    data = draft_model(event).model_validate({"occurred_at": utcnow(), "saga_id": saga.saga_id, **fields})
    draft = Draft(json=data.model_dump(mode="json"), event=event, local_id=event.TYPE)
    commit_drafts(uow, [(Origin(0, "checkout", f"{saga.saga_id}:{step}", None), [draft])], utcnow())


class Participants:
    """The three participants' reactions, and the timer. Each returns the effect to commit, or None."""

    def __init__(self, store: Store, policy: InventoryPolicy, settings: CheckoutSettings) -> None:
        self.store = store
        self.policy = policy
        self.settings = settings
        self.psp = HttpPsp(settings.psp_url, settings.psp_timeout.total_seconds())

    def _saga(self, saga_id: str) -> SagaRow | None:
        with self.store.read_only() as uow:
            return uow.get(Sagas).get(saga_id)

    def _settle(self, uow: UnitOfWork, saga_id: str, outcome: Outcome) -> Saga | None:
        """Record `outcome` on the saga (locked); finish it when nothing is left to undo."""
        repo = uow.get(Sagas)
        row = repo.get(saga_id, lock=True)
        if row is None:
            return None
        now = utcnow()
        saga = record(row.saga, outcome, self.settings.auth_margin)
        result = "ok" if outcome.ok else "failed"
        repo.log(saga_id, outcome.step, result, outcome.detail or None, now)
        if saga.status is Status.COMPENSATING and next_step(saga, now) == "finish":
            saga = record(saga, Outcome("finish", ok=True), self.settings.auth_margin)
            repo.log(saga_id, "finish", "ok", None, now)
        repo.save(saga, now)
        return saga

    # -- payment

    def payment(self, event: Event) -> Effect | None:
        row = self._saga(event.data["saga_id"])
        if row is None:
            return None
        request = CheckoutRequest.model_validate(row.request)
        if event.type == ev.CheckoutRequested.TYPE:
            if row.saga.status is not Status.STARTED:
                return None
            with self.store.unit_of_work() as uow:  # the intent, before the call: a void will follow
                uow.get(Sagas).save(_tried(row.saga), utcnow())
                uow.commit()
            outcome = steps.authorize(self.psp, row.saga, request)
            if not outcome.final:
                raise RuntimeError(outcome.detail)  # the group retries the event, with the same key

            def authorized(uow: UnitOfWork) -> None:
                now_row = uow.get(Sagas).get(row.saga.saga_id, lock=True)
                if now_row is None or now_row.saga.status is not Status.STARTED:
                    return  # timed out meanwhile: its compensation voids what this call made
                saga = self._settle(uow, row.saga.saga_id, outcome)
                if saga is not None and outcome.ok:
                    fields = {"payment_id": outcome.payment_id, "expires_at": outcome.expires_at}
                    publish(uow, saga, ev.PaymentAuthorized, "authorized", **fields)
                elif saga is not None:
                    publish(uow, saga, ev.PaymentDeclined, "declined", reason=outcome.detail)

            return authorized
        if event.type in (ev.StockUnavailable.TYPE, ev.OrderCreationFailed.TYPE, ev.CheckoutTimedOut.TYPE):
            saga = row.saga
            if not saga.authorize_tried or saga.voided:
                return None
            outcome = steps.void(self.psp, saga, request)
            if not outcome.final:
                raise RuntimeError(outcome.detail)

            def voided(uow: UnitOfWork) -> None:
                done = self._settle(uow, saga.saga_id, outcome)
                if done is not None:
                    publish(uow, done, ev.PaymentVoided, "voided", payment_id=outcome.payment_id)

            return voided
        return None

    # -- inventory

    def inventory(self, event: Event) -> Effect | None:
        saga_id = event.data["saga_id"]
        if event.type == ev.PaymentAuthorized.TYPE:

            def reserve(uow: UnitOfWork) -> None:
                row = uow.get(Sagas).get(saga_id, lock=True)
                if row is None or row.saga.status is not Status.AUTHORIZED:
                    return
                if utcnow() >= row.saga.deadline:
                    return  # the timer compensates it
                request = CheckoutRequest.model_validate(row.request)
                outcome = steps.reserve(uow, self.policy, row.saga, request, utcnow())
                saga = self._settle(uow, saga_id, outcome)
                if saga is not None:
                    kind = ev.StockReserved if outcome.ok else ev.StockUnavailable
                    publish(
                        uow,
                        saga,
                        kind,
                        "reserved" if outcome.ok else "unavailable",
                        reason=outcome.detail or None,
                    )

            return reserve
        if event.type in (ev.OrderCreationFailed.TYPE, ev.CheckoutTimedOut.TYPE):

            def release(uow: UnitOfWork) -> None:
                row = uow.get(Sagas).get(saga_id, lock=True)
                if row is None or not row.saga.reserved or row.saga.released:
                    return
                saga = self._settle(uow, saga_id, steps.release(uow, self.policy, row.saga, utcnow()))
                if saga is not None:
                    publish(uow, saga, ev.StockReleased, "released")

            return release
        return None

    # -- orders

    def orders(self, event: Event) -> Effect | None:
        if event.type != ev.StockReserved.TYPE:
            return None
        saga_id = event.data["saga_id"]

        def create(uow: UnitOfWork) -> None:
            row = uow.get(Sagas).get(saga_id, lock=True)
            if row is None or row.saga.status is not Status.RESERVED or utcnow() >= row.saga.deadline:
                return
            request = CheckoutRequest.model_validate(row.request)
            outcome = steps.create_order(uow, self.policy, row.saga, request, row.order_id, utcnow())
            saga = self._settle(uow, saga_id, outcome)
            if saga is not None and outcome.ok:
                publish(uow, saga, ev.CheckoutOrderCreated, "created", order_id=row.order_id)
            elif saga is not None:
                publish(uow, saga, ev.OrderCreationFailed, "order_failed", reason=outcome.detail)

        return create

    # -- the timer

    def time_out(self, now: datetime | None = None) -> list[str]:
        """CheckoutTimedOut for each choreographed saga past its deadline and not done; their ids."""
        now = now or utcnow()
        with self.store.read_only() as uow:
            ids = uow.get(Sagas).unfinished("choreographed")
        late = []
        for saga_id in ids:
            with self.store.unit_of_work() as uow:
                row = uow.get(Sagas).get(saga_id, lock=True)
                if row is None or next_step(row.saga, now) != "time_out":
                    continue
                reason = f"not done by {row.saga.deadline.isoformat()}"
                saga = self._settle(uow, saga_id, Outcome("time_out", ok=False, detail=reason))
                if saga is not None:
                    publish(uow, saga, ev.CheckoutTimedOut, "timed_out", reason=reason)
                uow.commit()
                late.append(saga_id)
        return late


def _tried(saga: Saga) -> Saga:
    return replace(saga, authorize_tried=True)


class ParticipantRunner:
    """A participant as a consumer group of the `checkout` topic: its outside call first, then its effect
    with the group's claim of the event in one transaction; offsets move after the commit."""

    def __init__(
        self, store: Store, broker: Broker, name: str, react: Callable[[Event], Effect | None]
    ) -> None:
        self.store = store
        self.name = name
        self.react = react
        self.consumer: Consumer = broker.consumer(name, ("checkout",))

    def run_once(self, timeout_s: float = 1.0) -> int:
        records = self.consumer.poll(100, timeout_s)
        for index, polled in enumerate(records):
            try:
                self._apply(polled)
            except Exception:
                self.consumer.seek_to_records(records[index:])
                raise
        if records:
            self.consumer.commit(records)
        return len(records)

    def _apply(self, record: Record) -> None:
        event = Event.from_binary(record.headers, record.value)
        effect = self.react(event)
        with self.store.unit_of_work() as uow:
            if uow.applied.claim(self.name, [event.id], utcnow()) and effect is not None:
                effect(uow)
            uow.commit()

    def drain(self, timeout_s: float = 0.2) -> int:
        total = 0
        while n := self.run_once(timeout_s):
            total += n
        return total

    def run(self, stop: threading.Event) -> None:
        try:
            while not stop.is_set():
                retry_until(lambda: self.run_once(1.0), stop, f"checkout participant {self.name}")
        finally:
            self.consumer.close()


GROUPS = ("checkout-payment", "checkout-inventory", "checkout-orders")


def runners(store: Store, broker: Broker, participants: Participants) -> Sequence[ParticipantRunner]:
    reactions = (participants.payment, participants.inventory, participants.orders)
    return [
        ParticipantRunner(store, broker, name, react) for name, react in zip(GROUPS, reactions, strict=True)
    ]


def run_timer(participants: Participants, stop: threading.Event, every_s: float = 1.0) -> None:
    while not stop.wait(every_s):
        retry_until(participants.time_out, stop, "checkout timer")
