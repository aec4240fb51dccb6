"""The per-SKU order a consumer believes stock events in (hub/domain/availability.py), over 1,000 SKUs
whose events arrive shuffled within and across partitions, with duplicates."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.domain.availability import SkuView, admit, offers, release
from tests.domain.stock_streams import POLICY, StockEvent, deliver, history, random_changes, truth

SKUS = 1000


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**63),
    most=st.integers(1, 8),
    duplicates=st.sampled_from([0.0, 0.05, 0.3]),
)
def test_shuffled_deliveries_end_in_order_and_never_tell_more_than_is_there(
    seed: int, most: int, duplicates: float
) -> None:
    rng = random.Random(seed)
    changes = [random_changes(rng, most) for _ in range(SKUS)]
    events = [e for i, c in enumerate(changes) for e in history(f"SKU-{i:04d}", c)]
    expected = truth(events)
    views: dict[str, SkuView] = {}
    newest: dict[str, int] = {}  # the highest version delivered so far, per SKU
    for e in deliver(events, rng, duplicates):
        view = views.setdefault(e.sku, SkuView(e.sku))
        newest[e.sku] = max(newest.get(e.sku, 0), e.version)
        result = admit(view, e.version, e.type, e.data)
        if result.applied and not view.is_held:
            # What the consumer tells now is the truth at the newest version anyone delivered.
            assert view.version == newest[e.sku]
            assert offers(view, POLICY) == expected[(e.sku, view.version)]
    for i, c in enumerate(changes):
        sku = f"SKU-{i:04d}"
        view = views[sku]
        assert not view.is_held and view.version == len(c)
        assert offers(view, POLICY) == expected[(sku, len(c))]


def test_a_late_event_never_moves_a_newer_position() -> None:
    view = SkuView("S")
    events = history("S", [("InventoryAdjusted", "main", 10), ("InventoryAdjusted", "main", 3)])
    for e in events:
        admit(view, e.version, e.type, e.data)
    late = admit(view, 1, "InventoryAdjusted", events[0].data)
    assert late.applied == () and "late or replayed" in late.note
    assert view.on_hand == {"main": 3}


def test_a_gap_holds_the_sku_until_it_fills_or_an_operator_releases_it() -> None:
    events: list[StockEvent] = history("S", [("InventoryAdjusted", "main", n) for n in (5, 4, 3, 2)])
    view = SkuView("S")
    assert admit(view, 1, "InventoryAdjusted", events[0].data).applied == (1,)
    held = admit(view, 3, "InventoryAdjusted", events[2].data)
    assert held.applied == () and view.is_held and view.on_hand == {"main": 5}
    assert admit(view, 4, "InventoryAdjusted", events[3].data).applied == ()
    assert admit(view, 2, "InventoryAdjusted", events[1].data).applied == (2, 3, 4)
    assert not view.is_held and view.on_hand == {"main": 2}

    other = SkuView("S")
    admit(other, 1, "InventoryAdjusted", events[0].data)
    admit(other, 4, "InventoryAdjusted", events[3].data)
    assert release(other) == (4,) and other.on_hand == {"main": 2} and not other.is_held


def test_a_negative_position_is_offered_as_zero() -> None:
    view = SkuView("S", 1, {"main": -3, "annex": 0}, reserved=0)
    assert offers(view, POLICY) == {"walmart": 0, "tiktok": 0, "amazon": 0}
