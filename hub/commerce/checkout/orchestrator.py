"""The orchestrated checkout: one coordinator drives each saga step by step and persists its state after
every step, so a restart resumes it wherever it stopped (a crash at any step included).

A payment step records its intent before the call and its outcome after it; the call's idempotency key
makes a repeated call (after a crash in between) return the first call's result. A stock or order step
writes its effect and the saga's new state in one transaction. Fault points (hub.faults, HUB_FAULTS) sit
before and after each step: `saga:<step>:before`, `saga:<step>:after`.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from hub import faults
from hub.clock import utcnow
from hub.commerce.checkout import steps
from hub.commerce.checkout.psp import HttpPsp
from hub.commerce.checkout.request import CheckoutRequest
from hub.commerce.checkout.settings import CheckoutSettings
from hub.domain.policy import InventoryPolicy
from hub.domain.saga import Outcome, Saga, Status, Step, next_step, record
from hub.retry import backoff_s
from hub.store import Store, UnitOfWork
from hub.store.sagas import SagaRow, Sagas

log = logging.getLogger(__name__)


def order_id_of(saga_id: str) -> str:
    return f"WS-{saga_id}"


def open_saga(store: Store, request: CheckoutRequest, variant: str, limit: timedelta) -> tuple[str, bool]:
    """The saga of this checkout: created now, or the one that exists for its checkout id (False)."""
    saga_id = request.checkout_id or uuid.uuid4().hex
    now = utcnow()
    saga = Saga(saga_id, variant, Status.STARTED, now + limit)
    with store.unit_of_work() as uow:
        created = uow.get(Sagas).create(saga, request.model_dump(mode="json"), order_id_of(saga_id), now)
        if created:
            uow.get(Sagas).log(saga_id, "checkout", "started", f"{request.amount()} {request.currency}", now)
        uow.commit()
    return saga_id, created


class Orchestrator:
    def __init__(self, store: Store, policy: InventoryPolicy, settings: CheckoutSettings) -> None:
        self.store = store
        self.policy = policy
        self.settings = settings
        self.psp = HttpPsp(settings.psp_url, settings.psp_timeout.total_seconds())

    def checkout(self, request: CheckoutRequest) -> SagaRow:
        saga_id, _ = open_saga(self.store, request, "orchestrated", self.settings.time_limit)
        return self.run(saga_id)

    def run(self, saga_id: str, stop: threading.Event | None = None) -> SagaRow:
        """Drive the saga until it is completed or compensated (or `stop` is set)."""
        while True:
            row = self._load(saga_id)
            step = next_step(row.saga, utcnow())
            if step is None or (stop is not None and stop.is_set()):
                return row
            outcome = self._perform(step, row)
            if not outcome.final:
                wait = backoff_s(row.saga.attempts + 1)
                log.info("saga %s: %s unknown (%s); again in %.1f s", saga_id, step, outcome.detail, wait)
                (stop or threading.Event()).wait(wait)

    def resume(self, older_than: timedelta = timedelta(0), stop: threading.Event | None = None) -> list[str]:
        """Finish every orchestrated saga a crash or a restart left unfinished; their ids."""
        with self.store.read_only() as uow:
            found = uow.get(Sagas).unfinished("orchestrated")
        cutoff = utcnow() - older_than
        done = []
        for saga_id in found:
            row = self._load(saga_id)
            if row.updated_at <= cutoff:
                self.run(saga_id, stop)
                done.append(saga_id)
        return done

    def _load(self, saga_id: str) -> SagaRow:
        with self.store.read_only() as uow:
            row = uow.get(Sagas).get(saga_id)
        if row is None:
            raise KeyError(f"no saga {saga_id!r}")
        return row

    def _perform(self, step: Step, row: SagaRow) -> Outcome:
        saga, request = row.saga, CheckoutRequest.model_validate(row.request)
        faults.hit(f"saga:{step}:before")
        if step == "authorize":
            self._commit(saga.saga_id, step, lambda s, _uow: (replace(s, authorize_tried=True), None))
            outcome = steps.authorize(self.psp, saga, request)
            faults.hit("saga:authorize:after")
            self._commit(saga.saga_id, step, lambda s, _uow: (s, outcome))
            return outcome
        if step == "void":
            outcome = steps.void(self.psp, saga, request)
            faults.hit("saga:void:after")
            self._commit(saga.saga_id, step, lambda s, _uow: (s, outcome))
            return outcome
        now = utcnow()
        effects: dict[Step, Callable[[Saga, UnitOfWork], Outcome]] = {
            "reserve": lambda s, uow: steps.reserve(uow, self.policy, s, request, now),
            "create_order": lambda s, uow: steps.create_order(
                uow, self.policy, s, request, row.order_id, now
            ),
            "release": lambda s, uow: steps.release(uow, self.policy, s, now),
            "time_out": lambda s, _uow: Outcome("time_out", ok=False, detail=_late(s)),
            "finish": lambda _s, _uow: Outcome("finish", ok=True),
        }
        outcome = self._commit(saga.saga_id, step, lambda s, uow: (s, effects[step](s, uow)))
        faults.hit(f"saga:{step}:after")
        return outcome

    def _commit(
        self, saga_id: str, step: Step, change: Callable[[Saga, UnitOfWork], tuple[Saga, Outcome | None]]
    ) -> Outcome:
        """In one transaction: lock the saga, check the step is still due (another coordinator may have
        done it), apply the change and its outcome, log it."""
        now = utcnow()
        with self.store.unit_of_work() as uow:
            repo = uow.get(Sagas)
            row = repo.get(saga_id, lock=True)
            if row is None or not _due(row.saga, step, now):
                return Outcome(step, ok=False, final=False, detail="no longer due")
            saga, outcome = change(row.saga, uow)
            if outcome is not None:
                saga = record(saga, outcome, self.settings.auth_margin)
                result = "ok" if outcome.ok else "failed" if outcome.final else "unknown"
                repo.log(saga_id, step, result, outcome.detail or None, now)
            else:
                repo.log(saga_id, step, "started", None, now)
            repo.save(saga, now)
            uow.commit()
        return outcome or Outcome(step, ok=True)


def _due(saga: Saga, step: Step, now: datetime) -> bool:
    """Whether `step` (or recording its outcome) still applies to the saga as it is now. A payment call's
    outcome is recorded even past the deadline: the authorization it made must be known to be voided."""
    if step == "authorize":
        return saga.status is Status.STARTED
    if step in ("reserve", "create_order"):
        expected = Status.AUTHORIZED if step == "reserve" else Status.RESERVED
        return saga.status is expected and now < saga.deadline
    if step == "time_out":
        return saga.status not in (Status.COMPLETED, Status.COMPENSATED, Status.COMPENSATING)
    if step == "release":
        return saga.status is Status.COMPENSATING and saga.reserved and not saga.released
    if step == "void":
        return saga.status is Status.COMPENSATING and not saga.voided
    return saga.status is Status.COMPENSATING  # finish


def _late(saga: Saga) -> str:
    if saga.authorization_expires_at is not None and saga.deadline < saga.authorization_expires_at:
        return f"not done by {saga.deadline.isoformat()}, before its authorization would expire"
    return f"not done by its time limit ({saga.deadline.isoformat()})"
