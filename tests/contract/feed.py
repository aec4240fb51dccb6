"""Events for contract tests, committed the way intake commits them (commit_drafts: sequences, outbox rows,
NOTIFY in one transaction), and what the log holds afterwards, per key."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import select

from hub.broker.port import Broker
from hub.events import TOPICS, Event
from hub.events.orders import OrderPaid, OrderPlaced
from hub.events.stock import InventoryAdjusted
from hub.intake.emit import Origin, commit_drafts
from hub.mapping.result import Draft
from hub.store import Store, UnitOfWork
from hub.store.tables import outbox

_deliveries = itertools.count(1)
OCCURRED = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def order_draft(order_id: str, status: str = "PAID") -> Draft:
    event = OrderPlaced if status == "UNPAID" else OrderPaid
    data = event(occurred_at=OCCURRED, channel="shop", order_id=order_id, channel_status=status)
    return Draft(data=data, local_id="order", event=event)


def key_of(order_id: str) -> str:
    return f"shop:{order_id}"


def commit_in(uow: UnitOfWork, order_ids: Iterable[str], run: str = "r") -> None:
    """One delivery per order id, all in the caller's unit of work (the caller commits)."""
    items = []
    for order_id in order_ids:
        n = next(_deliveries)
        items.append((Origin(n, "shop", f"{run}-{n}", None), [order_draft(order_id, f"S{n}")]))
    commit_drafts(uow, items, datetime.now(UTC), lifecycle=False)  # transport tests: every event counts


def stock_draft(sku: str, on_hand: int) -> Draft:
    """An observed stock level of `sku`; the ledger derives the delta and the per-SKU version."""
    data = {
        "occurred_at": OCCURRED.isoformat(),
        "reason": "snapshot",
        "sku": sku,
        "location": "main",
        "delta": None,
        "on_hand": on_hand,
        "version": None,
        "channel": "shop",
        "account": None,
    }
    return Draft(json=data, event=InventoryAdjusted, local_id=f"stock-{on_hand}")


def commit_stock(store: Store, skus: Sequence[str], levels: Iterable[int], run: str = "s") -> int:
    """For each level, one event per SKU (levels change every time, so none is a no-op), in one
    transaction per level: the SKUs' events interleave in the log."""
    count = 0
    for level in levels:
        items = []
        for sku in skus:
            n = next(_deliveries)
            items.append((Origin(n, "shop", f"{run}-{n}", None), [stock_draft(sku, level)]))
        with store.unit_of_work() as uow:
            commit_drafts(uow, items, datetime.now(UTC))
            uow.commit()
        count += len(items)
    return count


def commit_rounds(
    store: Store, order_ids: Sequence[str], rounds: int, per_tx: int = 50, run: str = "r"
) -> int:
    """`rounds` events per order id, interleaved across keys, `per_tx` events per transaction."""
    stream = [o for _ in range(rounds) for o in order_ids]
    for start in range(0, len(stream), per_tx):
        with store.unit_of_work() as uow:
            commit_in(uow, stream[start : start + per_tx], run)
            uow.commit()
    return len(stream)


def committed(store: Store) -> dict[str, list[str]]:
    """Event ids per partition key in sequence order: the order the log must keep."""
    with store.transaction() as conn:
        rows = conn.execute(
            select(outbox.c.partition_key, outbox.c.event_id).order_by(
                outbox.c.partition_key, outbox.c.sequence
            )
        ).all()
    by_key: dict[str, list[str]] = defaultdict(list)
    for key, event_id in rows:
        by_key[key].append(event_id)
    return dict(by_key)


def logged(broker: Broker) -> list[Event]:
    return [Event.from_binary(r.headers, r.value) for r in broker.read(list(TOPICS))]


def first_appearances(events: Iterable[Event]) -> dict[str, list[str]]:
    """Per key, event ids in the order they first appear in the log (duplicates after that are allowed)."""
    seen: set[str] = set()
    by_key: dict[str, list[str]] = defaultdict(list)
    for event in events:
        if event.id not in seen:
            seen.add(event.id)
            by_key[event.partitionkey].append(event.id)
    return dict(by_key)
