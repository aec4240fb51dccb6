"""The domain's part of one intake transaction: each delivery's order updates go through the lifecycle
state machine and its stock through the ledger.

`DomainRules` loads (and locks) the orders and levels a batch touches, decides each delivery on a trial
copy (a refused delivery changes nothing and harms no other), and saves what was decided: order states,
the history of every update, and the ledger's levels with their versions. The events of applied updates
are what the caller writes to the outbox in the same transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from hub.domain.errors import DomainRefused
from hub.domain.inventory import Ledger
from hub.domain.orders import PHASE_OF_EVENT, Decision, OrderState, StockMove, Update, decide
from hub.domain.policy import InventoryPolicy
from hub.events.envelope import Event
from hub.events.stock import InventoryAdjusted
from hub.ids import event_id as make_event_id
from hub.intake.barriers import raise_zero_barriers
from hub.intake.fit import INT64, Unfit
from hub.mapping.drafts import draft_model
from hub.mapping.result import Draft
from hub.store import UnitOfWork
from hub.store.orders import HistoryEntry, OrderKey, Orders

T = TypeVar("T")
Completion = dict[str, int]
Kept = list[tuple[Draft, Completion]]


@dataclass(frozen=True, slots=True)
class Origin:
    """Where drafts came from: the inbox row whose payload produced them (or a saga, for its own)."""

    inbox_id: int  # 0: none (a saga's own order)
    connector: str
    dedupe_key: str
    traceparent: str | None
    # Event ids already derived, by emitter: an applied order update's id goes in its history entry
    # and in its envelope, and is hashed once.
    _ids: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def source(self) -> str:
        return f"{self.connector}/{self.dedupe_key}"

    def event_id(self, local_id: str) -> str:
        """The id of the event of emitter `local_id`: the same delivery always gives the same ids (see
        hub.ids)."""
        found = self._ids.get(local_id)
        if found is None:
            found = self._ids[local_id] = make_event_id(self.connector, self.dedupe_key, local_id)
        return found


def is_order(draft: Draft) -> bool:
    return draft.event.TYPE in PHASE_OF_EVENT


class DomainRules:
    def __init__(self, uow: UnitOfWork, policy: InventoryPolicy, *, lifecycle: bool = True) -> None:
        self.uow = uow
        self.policy = policy
        self.lifecycle = lifecycle
        self.orders: dict[OrderKey, OrderState] = {}
        self.existing: set[OrderKey] = set()
        self.accounts: dict[OrderKey, str | None] = {}
        self.changed: set[OrderKey] = set()
        self.history: list[tuple[HistoryEntry, str | None]] = []  # entry, event id of an applied one
        self.ledger = Ledger({})

    def load(self, items: Sequence[tuple[Origin, list[Draft]]]) -> list[tuple[Origin, list[Draft]]]:
        """The items with SKUs translated (inventory.yaml's `items`), after loading and locking the orders
        and levels they touch."""
        items = [(o, [self._translate(o.connector, d) for d in drafts]) for o, drafts in items]
        order_keys: set[OrderKey] = set()
        stock: set[tuple[str, str]] = set()
        for _, drafts in items:
            for d in drafts:
                if issubclass(d.event, InventoryAdjusted):
                    stock.add((d.json["sku"], d.json["location"]))
                elif self.lifecycle and is_order(d):
                    order_keys.add((d.json["channel"], d.json["order_id"]))
                    location = self.policy.sells_from(d.json["channel"])
                    if location is not None:
                        stock.update((sku, location) for sku in _skus(d.json))
        self.orders = self.uow.get(Orders).load(order_keys)
        self.existing = set(self.orders)
        self.ledger = Ledger(self.uow.ledger.levels(stock))
        return items

    def admit(self, origin: Origin, drafts: list[Draft], build: Callable[[Kept], T]) -> T:
        """`build` of the drafts to publish, with the ledger's fields; raises DomainRefused for the whole
        delivery (its order history records the refusal). What the delivery decided is kept only once
        `build` returns: a delivery whose events cannot be built changes no order and no level."""
        ledger = self.ledger.trial()
        orders: dict[OrderKey, OrderState] = {}
        history: list[tuple[HistoryEntry, str | None]] = []
        kept: Kept = []
        for draft in drafts:
            if issubclass(draft.event, InventoryAdjusted):
                kept.extend(settled(ledger, draft))
            elif self.lifecycle and is_order(draft):
                key = (draft.json["channel"], draft.json["order_id"])
                before = self.orders.get(key)
                update = Update.of(draft.event.TYPE, draft.json)
                decision = self._decide(origin, draft, update, orders.get(key) or before, before)
                history.append((self._entry(origin, draft, update, decision), None))
                if decision.outcome != "applied":
                    continue
                orders[key] = decision.state
                history[-1] = (history[-1][0], origin.event_id(draft.local_id))
                kept.append((draft, {}))
                for move in decision.moves:
                    location = self.policy.sells_from(key[0])
                    if location is not None:
                        kept.extend(settled(ledger, _stock_draft(draft, move, location)))
            else:
                kept.append((draft, {}))
        built = build(kept)
        self.ledger.adopt(ledger)
        self.orders.update(orders)
        self.changed.update(orders)
        for key in orders:
            self.accounts[key] = next(
                (d.json.get("account") for d in drafts if is_order(d) and _key(d) == key), None
            )
        self.history.extend(history)
        return built

    def _decide(
        self,
        origin: Origin,
        draft: Draft,
        update: Update,
        state: OrderState | None,
        before: OrderState | None,
    ) -> Decision:
        try:
            return decide(state, update, before)
        except DomainRefused as exc:
            reason = f"order {draft.json['channel']}:{draft.json['order_id']}: {exc}"
            entry = self._entry(origin, draft, update, None, reason)
            self.history.append((entry, None))
            raise DomainRefused(reason) from None

    @staticmethod
    def _entry(
        origin: Origin, draft: Draft, update: Update, decision: Decision | None, refused: str = ""
    ) -> HistoryEntry:
        data = draft.json
        return HistoryEntry(
            channel=data["channel"],
            order_id=data["order_id"],
            event_type=draft.event.TYPE,
            channel_status=data.get("channel_status"),
            occurred_at=update.occurred_at,  # the update read it already
            outcome=decision.outcome if decision else "refused",
            reason=(decision.reason or None) if decision else refused,
            state=decision.state.phase.value if decision else None,
            source=origin.source,
            inbox_id=origin.inbox_id or None,
        )

    def save(self, events: Sequence[Event], now: datetime) -> None:
        """Write what the accepted deliveries decided, once their events have their sequences."""
        versions: dict[tuple[str, str], int] = {}
        for record in events:
            if record.type == InventoryAdjusted.TYPE:
                versions[(record.data["sku"], record.data["location"])] = record.sequence
        self.uow.ledger.save({k: (q, versions[k]) for k, q in self.ledger.changed.items()}, now)
        raise_zero_barriers(self.uow, self.policy, events, now)
        repo = self.uow.get(Orders)
        repo.save({k: self.orders[k] for k in self.changed}, self.accounts, now)
        repo.record(self.history, now)

    def _translate(self, connector: str, draft: Draft) -> Draft:
        items = self.policy.items.get(connector)
        if not items:
            return draft
        data = draft.json
        if issubclass(draft.event, InventoryAdjusted):
            sku = items.get(data["sku"])
            if sku is None:
                return draft
            data = {**data, "sku": sku}
        elif is_order(draft):
            data = {**data}
            for name in ("lines", "order_lines"):
                if data.get(name):
                    data[name] = [
                        {**x, "sku": items.get(x.get("sku") or "", x.get("sku"))} for x in data[name]
                    ]
        else:
            return draft
        return Draft(json=data, event=draft.event, local_id=draft.local_id)


def _key(draft: Draft) -> OrderKey:
    return (draft.json["channel"], draft.json["order_id"])


def _skus(data: dict[str, Any]) -> set[str]:
    return {x["sku"] for name in ("lines", "order_lines") for x in data.get(name) or () if x.get("sku")}


def settled(ledger: Ledger, draft: Draft) -> Kept:
    data = draft.json
    result = ledger.settle(data["sku"], data["location"], delta=data["delta"], on_hand=data["on_hand"])
    if result is None:
        return []
    if not (result[0] in INT64 and result[1] in INT64):
        raise Unfit(f"{data['sku']}@{data['location']}: the level or its change is beyond 64 bits")
    return [(draft, {"delta": result[0], "on_hand": result[1]})]


def _stock_draft(order: Draft, move: StockMove, location: str) -> Draft:
    """The ledger's side of an order update: units a sale took, or a cancellation or return gave back."""
    data = order.json
    fields = {
        "occurred_at": data["occurred_at"],
        "reason": move.reason,
        "sku": move.sku,
        "location": location,
        "delta": move.delta,
        "channel": data["channel"],
        "account": data.get("account"),
    }
    json = draft_model(InventoryAdjusted).model_validate(fields).model_dump(mode="json")
    return Draft(
        json=json, event=InventoryAdjusted, local_id=f"{order.local_id}>{move.reason}>{move.line_id}"
    )
