"""Notifications the sandbox sends the way each marketplace does: TikTok and Walmart webhooks signed with
the app's secret, Amazon ORDER_CHANGE notifications into an SQS-compatible queue."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import logging
import queue
import threading
import uuid
from pathlib import Path
from typing import Any

import httpx

from hub.sandbox.gate import iso
from hub.sandbox.orders import Order

log = logging.getLogger(__name__)


class Notifier:
    def __init__(
        self,
        project: Path,
        credentials: dict[str, dict[str, str]],
        webhook_url: str | None,
        sqs_queue_url: str | None = None,
        sqs_endpoint: str | None = None,
    ) -> None:
        self.credentials = credentials
        self.webhook_url = webhook_url.rstrip("/") if webhook_url else None
        self.sqs_queue_url, self.sqs_endpoint = sqs_queue_url, sqs_endpoint
        folder = project / "connectors" / "amazon" / "samples"
        self.order_change = json.loads((folder / "notification-ORDER_CHANGE.json").read_text())
        self.sent: list[dict[str, Any]] = []
        self._queue: queue.SimpleQueue[tuple[str, bytes, dict[str, str]] | None] = queue.SimpleQueue()
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sandbox-webhooks", daemon=True)
        self._thread.start()
        self._sqs: Any = None

    def tiktok(self, payload: dict[str, Any]) -> None:
        creds = self.credentials["tiktok"]
        body = json.dumps(payload).encode()
        digest = hmac.new(
            creds["TIKTOK_APP_SECRET"].encode(), creds["TIKTOK_APP_KEY"].encode() + body, hashlib.sha256
        ).hexdigest()
        self._post("tiktok", body, {"Authorization": digest})

    def walmart(self, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        secret = self.credentials["walmart"]["WALMART_CLIENT_SECRET"].encode()
        digest = base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode()
        self._post("walmart", body, {"X-Walmart-Signature": digest})

    def amazon(self, order: Order, seller_id: str) -> None:
        if not self.sqs_queue_url:
            return
        note = copy.deepcopy(self.order_change)
        note["EventTime"] = iso(order.updated)
        note["NotificationMetadata"].update(NotificationId=str(uuid.uuid4()), PublishTime=iso(order.updated))
        change = note["Payload"]["OrderChangeNotification"]
        change.update(SellerId=seller_id, AmazonOrderId=order.id, OrderChangeType="OrderStatusChange")
        change["OrderChangeTrigger"] = {
            "TimeOfOrderChange": iso(order.updated),
            "ChangeReason": "Order status changed",
        }
        summary = change["Summary"]
        summary["OrderStatus"] = order.status
        summary["OrderItems"] = [
            {
                **summary["OrderItems"][0],
                "OrderItemId": f"{order.id.replace('-', '')[:10]}{line.number:0>4}",
                "SellerSKU": line.sku,
                "OrderItemStatus": "Shipped" if order.status == "Shipped" else "Unshipped",
                "Quantity": line.quantity,
                "QuantityShipped": line.quantity if order.status == "Shipped" else 0,
                "IsBuyerRequestedCancel": False,
            }
            for line in order.lines
        ]
        if self._sqs is None:
            import boto3

            self._sqs = boto3.session.Session().client(
                "sqs",
                region_name="us-east-1",
                endpoint_url=self.sqs_endpoint,
                aws_access_key_id="sandbox",
                aws_secret_access_key="sandbox",
            )
        self._sqs.send_message(QueueUrl=self.sqs_queue_url, MessageBody=json.dumps(note))
        self.sent.append({"marketplace": "amazon", "order_id": order.id, "status": 0})

    def _post(self, connector: str, body: bytes, headers: dict[str, str]) -> None:
        if self.webhook_url is not None:
            self._queue.put((connector, body, headers))

    def _run(self) -> None:
        with httpx.Client(timeout=10) as client:
            while (item := self._queue.get()) is not None and not self._closing.is_set():
                connector, body, headers = item
                status = 0
                for _ in range(3):  # the marketplaces retry too (TikTok: +2 min ...; here at once)
                    try:
                        status = client.post(
                            f"{self.webhook_url}/webhooks/{connector}",
                            content=body,
                            headers={**headers, "content-type": "application/json"},
                        ).status_code
                    except httpx.HTTPError as exc:
                        log.warning("webhook to %s failed: %s", connector, type(exc).__name__)
                        continue
                    if status < 500:
                        break
                self.sent.append({"marketplace": connector, "status": status, "bytes": len(body)})

    def close(self, grace_s: float = 2.0) -> None:
        """Stop sending: what is still queued is dropped, a post under way gets `grace_s`."""
        self._closing.set()
        self._queue.put(None)
        self._thread.join(timeout=grace_s)
