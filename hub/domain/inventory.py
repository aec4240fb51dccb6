"""The per-SKU inventory ledger: turn an observed level or a delta into a consistent adjustment.

A level below zero is a state, not an error: oversold or backordered stock (a marketplace reporting -3
available, a sale of the last unit twice) is kept as the negative position it is. Channel sync offers no
channel less than zero; a person sees the position as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hub.domain.errors import DomainRefused


class InventoryRuleBroken(DomainRefused):
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
        elif on_hand != (previous or 0) + delta:
            raise InventoryRuleBroken(
                f"InventoryAdjusted for {sku}@{location}: on hand {on_hand} is not {previous or 0} {delta:+d}"
            )
        if delta == 0:
            return None
        self.levels[key] = on_hand
        self.changed[key] = on_hand
        return delta, on_hand

    def trial(self) -> Ledger:
        """A copy to settle one delivery's adjustments on; `adopt` it when the delivery is accepted."""
        return Ledger(dict(self.levels))

    def adopt(self, trial: Ledger) -> None:
        self.levels = trial.levels
        self.changed.update(trial.changed)
