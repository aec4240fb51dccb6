"""An order as the lifecycle keeps it: its phases, lines and the updates that reach it. No I/O."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


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
FACTS_KEPT = 64  # fingerprints remembered per order: enough for any redelivery a channel makes


@dataclass(frozen=True, slots=True)
class LineRef:
    line_id: str
    quantity: int | None = None
    sku: str | None = None


# What json.dumps(basis, default=str) wrote when fingerprints were first stored, built once instead of
# per update: the same separators, ASCII escapes and fallback, so every fingerprint stays the same. No
# circular check: a basis is a flat list of text, numbers and pairs.
_BASIS = json.JSONEncoder(default=str, check_circular=False)


@dataclass(slots=True)  # not frozen: one per order update, and a frozen __init__ costs several times more
class Update:
    """What one order event says, as the state machine reads it. Nothing changes one once built."""

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
        digest = hashlib.sha1(_BASIS.encode(basis).encode()).hexdigest()[:20]
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
        # The constructor, not dataclasses.replace: that walks the fields by name on every copy.
        return Line(
            self.line_id,
            self.sku,
            self.quantity,
            self.phase,
            self.at,
            dict(self.shipped),
            dict(self.returned),
            self.cancelled,
            self.sold,
        )


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
