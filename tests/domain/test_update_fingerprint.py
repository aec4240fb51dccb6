"""An order update's fingerprint is stored with the order (its `facts`) and recognises a redelivery: the
values computed today must stay the same, or every stored order would take a redelivered update for a
new one. Pinned as computed before the fingerprint's encoding was made cheaper."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from hub.domain.order_state import Update

CASES: list[tuple[str, dict[str, Any], str]] = [
    (
        "OrderPlaced",  # its lines are the order's, not the update's: they leave the fingerprint
        {
            "occurred_at": "2026-11-25T04:33:03.867000+00:00",
            "lines": [{"line_id": "L1", "quantity": 2, "sku": "A"}, {"line_id": 7, "quantity": 1}],
        },
        "d47fd788f2f404e37af1",
    ),
    (
        "OrderShipped",  # named lines sorted, a quantity unknown, a shipment id, an offset other than UTC
        {
            "occurred_at": "2026-11-25T04:33:03+01:00",
            "lines": [{"line_id": "L2", "quantity": 3}, {"line_id": "L1", "quantity": None}],
            "shipment": {"shipment_id": "S-1", "tracking_number": "T"},
        },
        "f331ab5755d780562c99",
    ),
    (
        "OrderReturned",  # a datetime given as one; text beyond ASCII and a quote
        {
            "occurred_at": datetime(2026, 12, 4, 14, 0, tzinfo=timezone(timedelta(hours=-5))),
            "lines": [{"line_id": "ligne-\u00e9", "quantity": 1}],
            "return_id": 'R\u00e9"9',
        },
        "e273b135cc56ff29abab",
    ),
    ("OrderCancelled", {"occurred_at": "2026-12-04T14:00:00Z", "partial": True}, "a2618ef7a03591dacca5"),
    (
        "OrderPaid",  # order_lines are known lines, not named ones; a numeric shipment id
        {
            "occurred_at": "2026-12-04T14:00:00.000001+00:00",
            "order_lines": [{"line_id": "L1", "quantity": 2}],
            "shipment_id": 42,
        },
        "cd4512b044e3d798f71b",
    ),
]


@pytest.mark.parametrize(("event_type", "data", "fingerprint"), CASES, ids=[c[0] for c in CASES])
def test_fingerprints_stay_what_stored_orders_hold(
    event_type: str, data: dict[str, Any], fingerprint: str
) -> None:
    assert Update.of(event_type, data).fingerprint == fingerprint
