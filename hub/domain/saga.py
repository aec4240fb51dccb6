"""The checkout saga: authorize payment -> reserve inventory -> create the order; on failure, release the
reservation and void the authorization. No I/O: what to do next, and what each outcome does to the saga.

Both variants keep a saga in this shape. The orchestrator asks `next_step` and records each outcome; the
choreographed participants react to each other's events and the tracker records the same outcomes. A
saga that is not done by its deadline (before its authorization would expire, or the checkout's own time
limit) is compensated, never completed late.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

Step = Literal["authorize", "reserve", "create_order", "release", "void", "finish", "time_out"]
STEPS: tuple[Step, ...] = ("authorize", "reserve", "create_order", "release", "void", "finish", "time_out")


class Status(StrEnum):
    STARTED = "started"  # payment not authorized yet
    AUTHORIZED = "authorized"
    RESERVED = "reserved"
    COMPLETED = "completed"
    COMPENSATING = "compensating"
    COMPENSATED = "compensated"


DONE = (Status.COMPLETED, Status.COMPENSATED)


@dataclass(frozen=True)
class Saga:
    saga_id: str
    variant: str
    status: Status
    deadline: datetime
    payment_id: str | None = None
    authorization_expires_at: datetime | None = None
    # An authorization may exist: the call was made (its answer may have been lost in a crash or a hang).
    authorize_tried: bool = False
    reserved: bool = False
    released: bool = False
    voided: bool = False
    reason: str | None = None
    attempts: int = 0  # failed attempts of the current step in a row

    def key(self, step: Step) -> str:
        """The idempotency key of a step's call: the same on every retry and after every restart."""
        return f"{self.saga_id}:{step}"


@dataclass(frozen=True)
class Outcome:
    step: Step
    ok: bool
    detail: str = ""
    payment_id: str | None = None
    expires_at: datetime | None = None
    final: bool = True  # False: the outcome is unknown (a timeout); the step is tried again
    extra: dict[str, str] = field(default_factory=dict)


def next_step(saga: Saga, now: datetime) -> Step | None:
    if saga.status in DONE:
        return None
    if saga.status is not Status.COMPENSATING and now >= saga.deadline:
        return "time_out"
    if saga.status is Status.STARTED:
        return "authorize"
    if saga.status is Status.AUTHORIZED:
        return "reserve"
    if saga.status is Status.RESERVED:
        return "create_order"
    if saga.reserved and not saga.released:
        return "release"
    if saga.authorize_tried and not saga.voided:
        return "void"
    return "finish"


def deadline_for(
    started: datetime, limit: timedelta, expires_at: datetime | None, margin: timedelta
) -> datetime:
    """The checkout's time limit, brought forward to `margin` before its authorization would expire."""
    end = started + limit
    return min(end, expires_at - margin) if expires_at is not None else end


def record(saga: Saga, outcome: Outcome, margin: timedelta) -> Saga:
    """The saga after `outcome` of its step."""
    step = outcome.step
    if not outcome.final:  # the reason a saga is compensated stays; a retry's trouble shows until then
        reason = saga.reason if saga.status is Status.COMPENSATING else outcome.detail or saga.reason
        return replace(saga, attempts=saga.attempts + 1, reason=reason)
    fresh = replace(saga, attempts=0)
    if step == "time_out":
        return replace(fresh, status=Status.COMPENSATING, reason=outcome.detail)
    if step == "authorize":
        if not outcome.ok:  # declined: no authorization exists, none to void
            return replace(fresh, status=Status.COMPENSATING, reason=outcome.detail, authorize_tried=False)
        deadline = saga.deadline
        if outcome.expires_at is not None:
            deadline = min(deadline, outcome.expires_at - margin)
        return replace(
            fresh,
            status=Status.AUTHORIZED,
            payment_id=outcome.payment_id,
            authorization_expires_at=outcome.expires_at,
            authorize_tried=True,
            deadline=deadline,
        )
    if step == "reserve":
        if not outcome.ok:
            return replace(fresh, status=Status.COMPENSATING, reason=outcome.detail)
        return replace(fresh, status=Status.RESERVED, reserved=True)
    if step == "create_order":
        if not outcome.ok:
            return replace(fresh, status=Status.COMPENSATING, reason=outcome.detail)
        return replace(fresh, status=Status.COMPLETED)
    if step == "release":
        return replace(fresh, released=True)
    if step == "void":
        return replace(fresh, voided=True, payment_id=outcome.payment_id or saga.payment_id)
    return replace(fresh, status=Status.COMPENSATED)  # finish
