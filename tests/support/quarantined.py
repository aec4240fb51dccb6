"""Deliveries that the bundled mappings cannot turn into events: they wait in quarantine."""

from __future__ import annotations

import itertools
import json
from datetime import datetime

from hub.clock import utcnow
from hub.intake.delivery import Delivery
from tests.support.paths import sample

_ids = itertools.count(1)


def tiktok_status_change(order_id: str, *, received_at: datetime | None = None) -> Delivery:
    """A real TikTok ORDER_STATUS_CHANGE webhook for another order."""
    payload = json.loads(sample("tiktok", "webhook-1-ORDER_STATUS_CHANGE.json").read_text())
    notification = f"q-{next(_ids)}-{order_id}"
    payload["tts_notification_id"] = notification
    payload["data"]["order_id"] = order_id
    body = json.dumps(payload, separators=(",", ":")).encode()
    return Delivery(
        connector="tiktok",
        body=body,
        payload=payload,
        dedupe_key=notification,
        received_at=received_at or utcnow(),
        account=payload.get("shop_id"),
    )


def unmappable() -> Delivery:
    """An ORDER_STATUS_CHANGE with a status TikTok does not document: never guessed, so quarantined."""
    delivery = tiktok_status_change("5764000000000999")
    payload = {**delivery.payload, "data": {**delivery.payload["data"], "order_status": "NOT_A_STATUS"}}
    body = json.dumps(payload, separators=(",", ":")).encode()
    return Delivery(
        connector="tiktok",
        body=body,
        payload=payload,
        dedupe_key=delivery.dedupe_key,
        received_at=delivery.received_at,
        account=delivery.account,
    )
