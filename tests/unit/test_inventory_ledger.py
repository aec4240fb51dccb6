"""The per-SKU ledger turns observed levels and deltas into consistent adjustments."""

from __future__ import annotations

import pytest

from hub.domain.inventory import InventoryRuleBroken, Ledger


def test_an_observed_level_becomes_a_delta_from_the_last_known_level() -> None:
    ledger = Ledger({("SKU", "A"): 10})
    assert ledger.settle("SKU", "A", delta=None, on_hand=7) == (-3, 7)
    assert ledger.settle("SKU", "A", delta=None, on_hand=7) is None  # nothing changed: no event
    assert ledger.settle("SKU", "B", delta=None, on_hand=5) == (5, 5)  # first sight of a location
    assert ledger.changed == {("SKU", "A"): 7, ("SKU", "B"): 5}


def test_a_delta_moves_the_level() -> None:
    ledger = Ledger({("SKU", "A"): 10})
    assert ledger.settle("SKU", "A", delta=-4, on_hand=None) == (-4, 6)
    # Oversold is a state, not an error: the position goes negative and stays visible.
    assert ledger.settle("SKU", "A", delta=-7, on_hand=None) == (-7, -1)
    assert ledger.settle("SKU", "B", delta=None, on_hand=-3) == (-3, -3)
    with pytest.raises(InventoryRuleBroken, match="needs a delta or an on-hand level"):
        ledger.settle("SKU", "A", delta=None, on_hand=None)
