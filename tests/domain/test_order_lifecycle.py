"""The order lifecycle: one state machine for every channel, fed by every marketplace's samples."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from hub import golden
from hub.domain.errors import IllegalTransition
from hub.domain.orders import PHASE_OF_EVENT, OrderState, Phase, Update, decide
from hub.mapping.result import Mapped
from tests.domain.support import CASES, PROJECT

T0 = "2026-01-01T00:00:00+00:00"


def at(hours: float) -> str:
    from datetime import datetime

    return (datetime.fromisoformat(T0) + timedelta(hours=hours)).isoformat()


def run(updates: list[tuple[str, dict[str, Any]]]) -> tuple[OrderState | None, list[str]]:
    state: OrderState | None = None
    seen = []
    for event_type, data in updates:
        try:
            decision = decide(state, Update.of(event_type, data))
        except IllegalTransition as exc:
            seen.append(f"refused: {exc}")
            continue
        state = decision.state
        seen.append(decision.outcome if decision.outcome != "applied" else f"applied -> {state.phase}")
    return state, seen


LINES = [{"line_id": "1", "sku": "MUG", "quantity": 2}, {"line_id": "2", "sku": "POT", "quantity": 1}]


def test_the_lifecycle_with_partial_shipment_cancellation_and_return() -> None:
    state, seen = run(
        [
            ("OrderPlaced", {"occurred_at": at(0), "lines": LINES}),
            ("OrderPaid", {"occurred_at": at(1)}),
            ("OrderPaid", {"occurred_at": at(1.5), "channel_status": "AWAITING_SHIPMENT"}),
            ("OrderShipped", {"occurred_at": at(3), "lines": [{"line_id": "1", "quantity": 2}]}),
            ("OrderCancelled", {"occurred_at": at(2), "lines": [{"line_id": "2", "quantity": 1}]}),
            ("OrderPaid", {"occurred_at": at(0.5)}),
            ("OrderDelivered", {"occurred_at": at(5)}),
            (
                "OrderReturned",
                {"occurred_at": at(6), "return_id": "R1", "lines": [{"line_id": "1", "quantity": 1}]},
            ),
            ("OrderPaid", {"occurred_at": at(7)}),
        ]
    )
    assert seen == [
        "applied -> placed",
        "applied -> paid",
        "duplicate",  # a second "paid" status changes nothing
        "applied -> shipped",  # line 1 only
        "applied -> shipped",  # line 2 cancelled: older than line 1's shipment, but line 2 had not moved
        "stale",
        "applied -> delivered",
        "applied -> return_requested",  # one of two units back
        "refused: OrderPaid: the order is already return_requested; it cannot go back to paid",
    ]
    assert state is not None
    phases = {line.line_id: line.phase for line in state.lines.values()}
    assert phases == {"1": Phase.RETURN_REQUESTED, "2": Phase.CANCELLED}


def test_an_order_first_seen_shipped_starts_there_and_moves_stock_once() -> None:
    decision = decide(None, Update.of("OrderShipped", {"occurred_at": at(3), "order_lines": LINES}))
    assert decision.state.phase is Phase.SHIPPED
    assert [(m.sku, m.delta, m.reason) for m in decision.moves] == [("MUG", -2, "sale"), ("POT", -1, "sale")]
    later = decide(decision.state, Update.of("OrderDelivered", {"occurred_at": at(4), "order_lines": LINES}))
    assert later.outcome == "applied" and later.moves == ()


def test_a_shipped_line_cannot_be_cancelled_but_its_unshipped_units_can() -> None:
    one_line = [{"line_id": "1", "sku": "MUG", "quantity": 4}]
    _, seen = run(
        [
            ("OrderPlaced", {"occurred_at": at(0), "lines": one_line}),
            ("OrderShipped", {"occurred_at": at(1), "lines": [{"line_id": "1", "quantity": 3}]}),
            ("OrderCancelled", {"occurred_at": at(2), "lines": [{"line_id": "1", "quantity": 1}]}),
            ("OrderCancelled", {"occurred_at": at(3), "lines": [{"line_id": "1", "quantity": 2}]}),
            ("OrderCancelled", {"occurred_at": at(4)}),
        ]
    )
    assert seen[:3] == ["applied -> placed", "applied -> shipped", "applied -> shipped"]
    assert seen[3].startswith("refused: OrderCancelled: line 1 is shipped")
    assert seen[4].startswith("refused: OrderCancelled: line 1 is shipped")


def test_fulfilled_by_the_channel_moves_no_merchant_stock() -> None:
    placed = {"occurred_at": at(0), "lines": LINES, "fulfilled_by": "channel"}
    assert decide(None, Update.of("OrderPlaced", placed)).moves == ()


ORDER_CASES = {
    case_id: [d for d in outcome.drafts if d.event.TYPE in PHASE_OF_EVENT]
    for case_id, case in CASES.items()
    if isinstance(outcome := golden.run(PROJECT, case), Mapped)
    and any(d.event.TYPE in PHASE_OF_EVENT for d in outcome.drafts)
}


def test_every_marketplace_has_order_samples() -> None:
    assert {case_id.split("/")[0] for case_id in ORDER_CASES} == {"amazon", "tiktok", "walmart"}


def _back(state: OrderState) -> tuple[str, dict[str, Any]]:
    """An update that would move `state` backwards, one day after the newest one applied."""
    assert state.at is not None
    later = (state.at + timedelta(days=1)).isoformat()
    if state.phase is Phase.CANCELLED:
        return "OrderShipped", {"occurred_at": later}
    if state.phase in (Phase.RETURN_REQUESTED, Phase.RETURNED):
        return "OrderPaid", {"occurred_at": later}
    if state.phase is Phase.PLACED:
        return "OrderCancelled", {"occurred_at": later}  # legal: checked to apply, below
    return "OrderPlaced", {"occurred_at": later}


@pytest.mark.parametrize("case_id", sorted(ORDER_CASES))
def test_sample_updates_drive_the_machine(case_id: str) -> None:
    """A payload's order events apply (they are one snapshot of the order); sent again, or sent again under
    another notification id, they emit nothing; and an update going backwards is refused."""
    drafts = ORDER_CASES[case_id]
    states: dict[tuple[str, str], OrderState | None] = {}
    for draft in drafts:
        key = (draft.json["channel"], draft.json["order_id"])
        decision = decide(states.get(key), Update.of(draft.event.TYPE, draft.json), None)
        assert decision.outcome == "applied", (draft.event.TYPE, decision.reason)
        states[key] = decision.state
    for draft in drafts:
        key = (draft.json["channel"], draft.json["order_id"])
        again = decide(states[key], Update.of(draft.event.TYPE, draft.json))
        assert again.outcome in ("duplicate", "stale")
        assert again.state is states[key]
    for state in states.values():
        assert state is not None
        event_type, data = _back(state)
        if event_type == "OrderCancelled":
            assert decide(state, Update.of(event_type, data)).state.phase is Phase.CANCELLED
            continue
        with pytest.raises(IllegalTransition):
            decide(state, Update.of(event_type, data))
