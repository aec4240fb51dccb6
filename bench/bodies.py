"""Distinct, correctly signed TikTok Shop ORDER_STATUS_CHANGE webhooks: each one a new delivery."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "connectors" / "tiktok" / "samples" / "webhook-1-ORDER_STATUS_CHANGE.json"

# The bench starts its own receiver with these; they sign nothing real.
SECRETS = {"TIKTOK_APP_KEY": "bench-tiktok-app-key", "TIKTOK_APP_SECRET": "bench-tiktok-app-secret"}


def sign(body: bytes) -> str:
    """TikTok's scheme: hex HMAC-SHA256, key = app secret, message = app key + raw body."""
    key, secret = SECRETS["TIKTOK_APP_KEY"], SECRETS["TIKTOK_APP_SECRET"]
    return hmac.new(secret.encode(), key.encode() + body, hashlib.sha256).hexdigest()


def webhooks(start: int, count: int) -> Iterator[bytes]:
    """Bodies number start..start+count-1; the number makes the notification id (the dedupe key) and
    the order id unique, so the receiver stores every one and allocates a fresh per-order sequence."""
    template: dict[str, Any] = json.loads(SAMPLE.read_text())
    notification, order = int(template["tts_notification_id"]), int(template["data"]["order_id"])
    for n in range(start, start + count):
        template["tts_notification_id"] = str(notification + n)
        template["data"]["order_id"] = str(order + n)
        yield json.dumps(template, separators=(",", ":")).encode()


def signed_requests(start: int, count: int) -> list[str]:
    """vegeta JSON targets (-format=json) without the url, which write_targets puts in front."""
    # Formatted by hand: json.dumps of ~100,000 targets per round would add seconds per run.
    header = '"header":{{"Authorization":["{}"],"Content-Type":["application/json"]}}}}'
    return [
        f'"method":"POST","body":"{base64.b64encode(body).decode()}",' + header.format(sign(body))
        for body in webhooks(start, count)
    ]


def write_targets(path: Path, url: str, requests: list[str]) -> Path:
    """One pre-signed request per line; the same requests go to each server, each sent once."""
    head = f'{{"url":{json.dumps(url)},'
    with path.open("w") as out:
        out.writelines(f"{head}{request}\n" for request in requests)
    return path
