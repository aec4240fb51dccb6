"""The order lifecycle: one state machine for every channel, per order and per line. No I/O.

    placed -> paid -> allocated -> fulfilled -> shipped -> delivered -> return_requested -> returned
       \\________\\__________\\___________\\-> cancelled

A channel may skip phases (first seen already shipped); nothing moves backwards. Each line keeps its own
phase, so a partial shipment, cancellation or return moves only the lines it names; an update that names
no line moves the whole order. `decide` says what one update does to an order:

- applied: the state changes, and the update's event is published;
- duplicate: the same update again, or one that changes nothing (a second "paid" status);
- stale: older (by its source timestamp) than what the order, or each line it names, has applied;
- refused: IllegalTransition, e.g. a shipped line cancelled, or "paid" after "delivered" with a newer time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from hub.domain.errors import IllegalTransition


class Phase(StrEnum):
    NEW = "new"  # only while an order first seen is being built: any first phase is allowed
    PLACED = "placed"
    PAID = "paid"
    ALLOCATED = "allocated"
    FULFILLED = "fulfilled"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    RETURN_REQUESTED = "return_requested"
    RETURNED = "returned"
    CANCELLED = "cancelled"


FLOW = (
    Phase.NEW,
    Phase.PLACED,
    Phase.PAID,
    Phase.ALLOCATED,
    Phase.FULFILLED,
    Phase.SHIPPED,
    Phase.DELIVERED,
    Phase.RETURN_REQUESTED,
    Phase.RETURNED,
)
RANK = {phase: rank for rank, phase in enumerate(FLOW)}
STATES = tuple(p.value for p in Phase if p is not Phase.NEW)
PHASE_OF_EVENT = {
    "OrderPlaced": Phase.PLACED,
    "OrderPaid": Phase.PAID,
    "OrderAllocated": Phase.ALLOCATED,
    "OrderFulfilled": Phase.FULFILLED,
    "OrderShipped": Phase.SHIPPED,
    "OrderDelivered": Phase.DELIVERED,
    "ReturnInitiated": Phase.RETURN_REQUESTED,
    "OrderReturned": Phase.RETURNED,
    "OrderCancelled": Phase.CANCELLED,
}
CANCELLABLE = {Phase.NEW, Phase.PLACED, Phase.PAID, Phase.ALLOCATED, Phase.FULFILLED}
RETURNABLE = {
    Phase.NEW,
    Phase.FULFILLED,
    Phase.SHIPPED,
    Phase.DELIVERED,
    Phase.RETURN_REQUESTED,
    Phase.RETURNED,
}
RETURNS = {Phase.RETURN_REQUESTED, Phase.RETURNED}
WHOLE = "*"  # the one implicit line of an order whose lines nobody has listed yet
_FACTS_KEPT = 64  # fingerprints remembered per order: enough for any redelivery a channel makes


@dataclass(frozen=True, slots=True)
class LineRef:
    line_id: str
    quantity: int | None = None
    sku: str | None = None


@dataclass(frozen=True, slots=True)
class Update:
    """What one order event says, as the state machine reads it."""

    event_type: str
    phase: Phase
    occurred_at: datetime
    named: tuple[LineRef, ...]  # the lines it is about; empty: the whole order
    known: tuple[LineRef, ...]  # the order's lines as the payload lists them
    partial: bool  # some lines moved, without saying which
    unit: str  # the shipment or return it belongs to ("" for none)
    fingerprint: str
    fulfilled_by: str | None = None  # "channel": the channel ships from its own stock (Amazon FBA)

    @classmethod
    def of(cls, event_type: str, data: Mapping[str, Any]) -> Update:
        phase = PHASE_OF_EVENT[event_type]
        lines = [_ref(line) for line in data.get("lines") or ()]
        known = [_ref(line) for line in data.get("order_lines") or ()]
        if phase is Phase.PLACED:  # OrderPlaced's lines are the order's lines, not a part of it
            known, lines = known + lines, []
        shipment = data.get("shipment") or {}
        unit = str(
            data.get("return_id")
            or shipment.get("shipment_id")
            or shipment.get("tracking_number")
            or data.get("shipment_id")
            or ""
        )
        partial = bool(data.get("partial")) and not lines
        occurred = data["occurred_at"]
        at = occurred if isinstance(occurred, datetime) else datetime.fromisoformat(occurred)
        basis = [event_type, at.isoformat(), sorted((r.line_id, r.quantity) for r in lines), unit, partial]
        digest = hashlib.sha1(json.dumps(basis, default=str).encode()).hexdigest()[:20]
        fulfilled_by = data.get("fulfilled_by")
        return cls(event_type, phase, at, tuple(lines), tuple(known), partial, unit, digest, fulfilled_by)


def _ref(line: Mapping[str, Any]) -> LineRef:
    quantity = line.get("quantity")
    return LineRef(str(line["line_id"]), quantity if isinstance(quantity, int) else None, line.get("sku"))


@dataclass(slots=True)
class Line:
    line_id: str
    sku: str | None
    quantity: int | None
    phase: Phase
    at: datetime | None = None
    shipped: dict[str, int] = field(default_factory=dict)  # per shipment: units
    returned: dict[str, int] = field(default_factory=dict)  # per return: units
    cancelled: int = 0  # units
    sold: bool = False  # its sale has moved stock

    def copy(self) -> Line:
        return replace(self, shipped=dict(self.shipped), returned=dict(self.returned))


@dataclass(slots=True)
class OrderState:
    lines: dict[str, Line]
    at: datetime | None = None  # newest source timestamp applied
    hint: Phase | None = None  # how far a partial update without lines said the order got
    facts: list[str] = field(default_factory=list)
    applied: int = 0
    fulfilled_by: str | None = None

    @property
    def phase(self) -> Phase:
        active = [line.phase for line in self.lines.values() if line.phase is not Phase.CANCELLED]
        if not active:
            return Phase.CANCELLED
        phase = max(active, key=RANK.__getitem__)
        if self.hint is not None and RANK[self.hint] > RANK[phase]:
            return self.hint
        return phase

    @property
    def partial(self) -> bool:
        """Some active line is behind the order's phase."""
        phase = self.phase
        return any(
            line.phase is not Phase.CANCELLED and line.phase is not phase for line in self.lines.values()
        ) or (self.hint is not None and phase is self.hint)

    def copy(self) -> OrderState:
        lines = {k: v.copy() for k, v in self.lines.items()}
        return OrderState(lines, self.at, self.hint, list(self.facts), self.applied, self.fulfilled_by)

    def same_as(self, other: OrderState) -> bool:
        """The same phases and units (when the lines last moved aside)."""
        return self.hint == other.hint and _facts(self) == _facts(other)

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat() if self.at else None,
            "hint": self.hint,
            "facts": self.facts,
            "applied": self.applied,
            "fulfilled_by": self.fulfilled_by,
            "lines": [
                {
                    "line_id": x.line_id,
                    "sku": x.sku,
                    "quantity": x.quantity,
                    "phase": x.phase.value,
                    "at": x.at.isoformat() if x.at else None,
                    "shipped": x.shipped,
                    "returned": x.returned,
                    "cancelled": x.cancelled,
                    "sold": x.sold,
                }
                for x in self.lines.values()
            ],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> OrderState:
        lines = {
            x["line_id"]: Line(
                x["line_id"],
                x["sku"],
                x["quantity"],
                Phase(x["phase"]),
                _time(x["at"]),
                dict(x["shipped"]),
                dict(x["returned"]),
                x["cancelled"],
                x["sold"],
            )
            for x in data["lines"]
        }
        hint = Phase(data["hint"]) if data.get("hint") else None
        facts = list(data["facts"])
        return cls(lines, _time(data["at"]), hint, facts, data["applied"], data.get("fulfilled_by"))


def _facts(state: OrderState) -> dict[str, tuple[Any, ...]]:
    return {
        k: (x.sku, x.quantity, x.phase, x.shipped, x.returned, x.cancelled) for k, x in state.lines.items()
    }


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass(frozen=True, slots=True)
class StockMove:
    """Units of a SKU that an order moved: a sale takes them, a cancellation or a return gives them back."""

    line_id: str
    sku: str
    delta: int
    reason: Literal["sale", "cancellation", "return"]


Outcome = Literal["applied", "duplicate", "stale"]


class Same:
    """`decide`'s default baseline: the state itself."""


SAME = Same()


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    state: OrderState
    reason: str = ""
    moves: tuple[StockMove, ...] = ()


def decide(state: OrderState | None, update: Update, baseline: OrderState | Same | None = SAME) -> Decision:
    """What `update` does to an order in `state` (None: the order is new). Raises IllegalTransition.

    `baseline`: the order as it was before the delivery that carries `update`, when that delivery applied
    others first. Staleness is judged against it: one payload's events are one snapshot of the order (a
    Walmart line with units shipped and units cancelled, each status with its own date), never stale
    against each other."""
    before_delivery = state if isinstance(baseline, Same) else baseline
    if state is not None:
        if update.fingerprint in state.facts:
            return Decision("duplicate", state, "the same update was applied before")
        stale = _stale(before_delivery, update) if before_delivery is not None else ""
        if stale:
            return Decision("stale", state, stale)
    before = state if state is not None else OrderState({WHOLE: Line(WHOLE, None, None, Phase.NEW)})
    after = before.copy()  # `state` itself is never changed: a refused or stale update leaves it as it was
    after.fulfilled_by = update.fulfilled_by or after.fulfilled_by
    _learn(after, update)
    _apply(after, update)
    for line in after.lines.values():
        if line.phase is Phase.NEW:  # a line the first update did not name: only known to be placed
            line.phase = Phase.PLACED
    if state is not None and after.same_as(state):
        return Decision("duplicate", state, f"changes nothing: the order is already {state.phase}")
    moves = _stock_moves(before, after) if after.fulfilled_by != "channel" else []
    after.at = max(after.at, update.occurred_at) if after.at else update.occurred_at
    after.facts = [*after.facts, update.fingerprint][-_FACTS_KEPT:]
    after.applied += 1
    return Decision("applied", after, "", tuple(moves))


def _stale(state: OrderState, update: Update) -> str:
    if update.named:
        times = [state.lines[r.line_id].at for r in update.named if r.line_id in state.lines]
        if len(times) == len(update.named) and all(t is not None and t > update.occurred_at for t in times):
            return f"older ({update.occurred_at.isoformat()}) than what each of its lines has applied"
        return ""
    if state.at is not None and state.at > update.occurred_at:
        return f"older ({update.occurred_at.isoformat()}) than the update applied at {state.at.isoformat()}"
    return ""


def _learn(state: OrderState, update: Update) -> None:
    """Lines the order did not know yet join it at the phase the order had reached."""
    implicit = state.lines.get(WHOLE)
    for ref in (*update.known, *update.named):
        line = state.lines.get(ref.line_id)
        if line is None:
            if implicit is not None:
                phase = implicit.phase
            else:
                active = [x.phase for x in state.lines.values() if x.phase is not Phase.CANCELLED]
                phase = min(active, key=RANK.__getitem__) if active else Phase.PLACED
            state.lines[ref.line_id] = line = Line(ref.line_id, ref.sku, None, phase)
        line.sku = line.sku or ref.sku
        if ref in update.known and ref.quantity is not None:
            line.quantity = ref.quantity
    if implicit is not None and len(state.lines) > 1:
        del state.lines[WHOLE]


def _apply(state: OrderState, update: Update) -> None:
    target = update.phase
    if target is not Phase.CANCELLED and state.phase is Phase.CANCELLED:
        raise IllegalTransition(f"{update.event_type}: the order is cancelled")
    if update.partial:
        state.hint = target if state.hint is None or RANK[target] > RANK[state.hint] else state.hint
        return
    if update.named:
        for ref in update.named:
            _move(state.lines[ref.line_id], target, ref, update, strict=True)
        return
    active = [line for line in state.lines.values() if line.phase is not Phase.CANCELLED]
    if target is Phase.CANCELLED:
        for line in active:
            _move(line, target, None, update, strict=True)
        return
    if target in RETURNS:
        movable = [line for line in active if line.phase in RETURNABLE]
        if active and not movable:
            raise IllegalTransition(
                f"{update.event_type}: nothing to return, no line was fulfilled (the order is {state.phase})"
            )
    else:
        movable = [line for line in active if line.phase not in RETURNS and RANK[line.phase] < RANK[target]]
        if RANK[target] < RANK[state.phase]:
            raise IllegalTransition(
                f"{update.event_type}: the order is already {state.phase}; it cannot go back to {target}"
            )
    for line in movable:
        _move(line, target, None, update, strict=False)


def _move(line: Line, target: Phase, ref: LineRef | None, update: Update, *, strict: bool) -> None:
    name = "the order" if line.line_id == WHOLE else f"line {line.line_id}"
    if line.phase is Phase.CANCELLED:
        if target is Phase.CANCELLED:
            return
        raise IllegalTransition(f"{update.event_type}: {name} is cancelled")
    quantity = ref.quantity if ref is not None and ref.quantity is not None else None
    if target is Phase.CANCELLED:
        whole = line.quantity if line.quantity is not None else 0
        units = max(line.cancelled, quantity if quantity is not None else whole)
        if line.phase not in CANCELLABLE and not (
            quantity is not None and line.quantity is not None and units + _shipped(line) <= line.quantity
        ):
            raise IllegalTransition(
                f"{update.event_type}: {name} is {line.phase}; it can no longer be cancelled (a return can)"
            )
        line.cancelled = units
        if line.phase in CANCELLABLE and (
            line.quantity is None or quantity is None or units >= line.quantity
        ):
            line.phase = Phase.CANCELLED
    elif target in RETURNS:
        if line.phase not in RETURNABLE:
            raise IllegalTransition(f"{update.event_type}: {name} is {line.phase}; nothing of it was shipped")
        if target is Phase.RETURNED:
            units = quantity if quantity is not None else (line.quantity or 0) - line.cancelled
            line.returned[update.unit] = max(line.returned.get(update.unit, 0), units)
            complete = line.quantity is None or sum(line.returned.values()) >= line.quantity - line.cancelled
            line.phase = Phase.RETURNED if complete or quantity is None else Phase.RETURN_REQUESTED
        elif RANK[line.phase] < RANK[Phase.RETURN_REQUESTED]:
            line.phase = Phase.RETURN_REQUESTED
    else:
        if line.phase in RETURNS or RANK[target] < RANK[line.phase]:
            if strict:
                raise IllegalTransition(
                    f"{update.event_type}: {name} is already {line.phase}; it cannot go back to {target}"
                )
            return
        line.phase = target
        if target is Phase.SHIPPED and quantity is not None:
            unit = update.unit or "_"
            line.shipped[unit] = max(line.shipped.get(unit, 0), quantity)
    if line.at is None or line.at < update.occurred_at:
        line.at = update.occurred_at


def _shipped(line: Line) -> int:
    return sum(line.shipped.values())


def _stock_moves(before: OrderState, after: OrderState) -> list[StockMove]:
    moves = []
    for line in after.lines.values():
        if line.sku is None or line.quantity is None:
            continue
        old = before.lines.get(line.line_id)
        cancelled, returned = (old.cancelled, sum(old.returned.values())) if old and old.sold else (0, 0)
        if not line.sold:
            if line.phase is Phase.CANCELLED and old is None:
                continue  # first seen cancelled: nothing was taken
            line.sold = True
            moves.append(StockMove(line.line_id, line.sku, -line.quantity, "sale"))
        if line.cancelled > cancelled:
            moves.append(StockMove(line.line_id, line.sku, line.cancelled - cancelled, "cancellation"))
        now_returned = sum(line.returned.values())
        if now_returned > returned:
            moves.append(StockMove(line.line_id, line.sku, now_returned - returned, "return"))
    return moves


def describe_lines(state: OrderState) -> Sequence[dict[str, Any]]:
    """The order's lines as people read them (the implicit whole-order line left out)."""
    return [
        {
            "line_id": x.line_id,
            "sku": x.sku,
            "quantity": x.quantity,
            "state": x.phase.value,
            "shipped": sum(x.shipped.values()),
            "cancelled": x.cancelled,
            "returned": sum(x.returned.values()),
        }
        for x in state.lines.values()
        if x.line_id != WHOLE
    ]
