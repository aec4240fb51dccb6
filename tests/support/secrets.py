"""Test values for every bundled connector's secret variables (never real credentials)."""

from __future__ import annotations

import hashlib
import hmac

BUNDLED_SECRETS: dict[str, str] = {
    "TIKTOK_APP_KEY": "test-tiktok-app-key",
    "TIKTOK_APP_SECRET": "test-tiktok-app-secret",
    "WALMART_CLIENT_SECRET": "test-walmart-client-secret",
    "WEBSHOP_WEBHOOK_SECRET": "test-webshop-webhook-secret",
    # The Amazon SQS intake is off unless AMAZON_SQS_QUEUE_URL is set (the SQS tests set it).
    "AMAZON_EVENTBRIDGE_API_KEY": "test-amazon-eventbridge-api-key",
}


def tiktok_signature(body: bytes, app_key: str | None = None, app_secret: str | None = None) -> str:
    key = app_key or BUNDLED_SECRETS["TIKTOK_APP_KEY"]
    secret = app_secret or BUNDLED_SECRETS["TIKTOK_APP_SECRET"]
    return hmac.new(secret.encode(), key.encode() + body, hashlib.sha256).hexdigest()
