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

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from hub.domain.errors import IllegalTransition
from hub.domain.order_state import (
    CANCELLABLE,
    FACTS_KEPT,
    PHASE_OF_EVENT,
    RANK,
    RETURNABLE,
    RETURNS,
    STATES,
    WHOLE,
    Line,
    LineRef,
    OrderState,
    Phase,
    Update,
)

__all__ = [
    "PHASE_OF_EVENT",
    "STATES",
    "Decision",
    "OrderState",
    "Phase",
    "StockMove",
    "Update",
    "decide",
    "describe_lines",
]


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
    after.facts = [*after.facts, update.fingerprint][-FACTS_KEPT:]
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
