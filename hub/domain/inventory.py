"""The per-SKU inventory ledger: turn an observed level or a delta into a consistent adjustment."""

from __future__ import annotations

from dataclasses import dataclass, field


class InventoryRuleBroken(ValueError):
    pass


@dataclass
class Ledger:
    """Levels by (sku, location) as of the start of a transaction, updated as adjustments settle."""

    levels: dict[tuple[str, str], int]
    changed: dict[tuple[str, str], int] = field(default_factory=dict)

    def settle(
        self, sku: str, location: str, *, delta: int | None, on_hand: int | None
    ) -> tuple[int, int] | None:
        """Return (delta, resulting on-hand), or None when an observed level changes nothing."""
        key = (sku, location)
        previous = self.levels.get(key)
        if on_hand is not None and delta is None:
            if previous == on_hand:
                return None
            delta = on_hand - (previous or 0)
        elif delta is not None and on_hand is None:
            on_hand = (previous or 0) + delta
        elif delta is None or on_hand is None:
            raise InventoryRuleBroken(
                f"InventoryAdjusted for {sku}@{location} needs a delta or an on-hand level"
            )
        if on_hand < 0:
            raise InventoryRuleBroken(f"{sku}@{location} would go to {on_hand} units on hand")
        self.levels[key] = on_hand
        self.changed[key] = on_hand
        return delta, on_hand
