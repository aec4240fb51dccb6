"""Real outbox rows in bulk: synthetic TikTok ORDER_STATUS_CHANGE webhooks for many orders, accepted
through the real intake (inbox row, mapping, per-key sequence, outbox row in one transaction)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from hub.clock import utcnow
from hub.intake.delivery import Delivery
from hub.intake.service import IntakeService
from hub.project import Project
from hub.store import Store
from tests.support.paths import REPO, sample

# Each status maps to exactly one event (IN_TRANSIT through the mapping's second emitter).
STATUSES = ("UNPAID", "ON_HOLD", "AWAITING_SHIPMENT", "AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED")
SHOP_ID = "7494049642642441621"

_TEMPLATE: dict[str, Any] = json.loads(sample("tiktok", "webhook-1-ORDER_STATUS_CHANGE.json").read_text())


def order_id(order: int) -> str:
    return f"5764{order:014d}"


def order_key(order: int) -> str:
    return f"tiktok:{order_id(order)}"


def order_delivery(order: int, step: int, *, run: str = "r") -> Delivery:
    """The `step`-th status change of order number `order`; `run` keeps notification ids unique."""
    payload = json.loads(json.dumps(_TEMPLATE))
    notification = f"{run}-{order}-{step}"
    payload["tts_notification_id"] = notification
    payload["timestamp"] = 1_700_000_000 + step
    payload["data"].update(
        order_id=order_id(order),
        order_status=STATUSES[step % len(STATUSES)],
        update_time=1_700_000_000 + step,
    )
    body = json.dumps(payload, separators=(",", ":")).encode()
    return Delivery(
        connector="tiktok",
        body=body,
        payload=payload,
        dedupe_key=notification,
        received_at=utcnow(),
        account=SHOP_ID,
    )


def deliveries(
    orders: int, steps: int, *, run: str = "r", first_order: int = 0, first_step: int = 0
) -> Iterator[Delivery]:
    """Steps `first_step` to `steps - 1`, step by step across all orders, so each key's events are spread
    over the whole stream."""
    for step in range(first_step, steps):
        for order in range(first_order, first_order + orders):
            yield order_delivery(order, step, run=run)


def intake(store: Store, project: Project | None = None) -> IntakeService:
    """Intake without the order state machine: these statuses cycle, so a key gets as many events as the
    transport tests ask for (the lifecycle would refuse UNPAID after DELIVERED)."""
    return IntakeService(project or Project.load(REPO, ["tiktok"]), store, lifecycle=False)


def accept_all(service: IntakeService, items: Iterator[Delivery], batch: int = 200) -> int:
    """Accept deliveries in batches (one transaction each); return how many events were committed."""
    events = 0
    chunk: list[Delivery] = []
    for delivery in items:
        chunk.append(delivery)
        if len(chunk) == batch:
            events += _accept(service, chunk)
            chunk = []
    if chunk:
        events += _accept(service, chunk)
    return events


def _accept(service: IntakeService, chunk: list[Delivery]) -> int:
    receipts = service.accept(chunk)
    failed = [r for r in receipts if isinstance(r, Exception) or r.status != "accepted"]
    if failed:
        raise AssertionError(f"intake refused {len(failed)} of {len(chunk)}: {failed[0]!r}")
    return sum(r.events for r in receipts if not isinstance(r, Exception))
