"""A consumer group's sink that is another system's HTTP endpoint.

Each event is POSTed as a CloudEvents JSON document and signed as Standard Webhooks specifies
(https://www.standardwebhooks.com/): `webhook-id` (the event id), `webhook-timestamp` (Unix seconds) and
`webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`. The event id is also the
`Idempotency-Key`, so the receiver can drop a second delivery (a retry after a lost answer). A replayed
delivery says so twice: `Hub-Replay: true` and `"replay": true` in the document.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
from collections.abc import Mapping
from urllib.parse import urlsplit

import httpx
import orjson

from hub import tracing
from hub.connectors.spec import SecretRef
from hub.consumers.delivery import current
from hub.credentials import Secret, resolve
from hub.events import Event
from hub.store import UnitOfWork


class SinkRefused(RuntimeError):
    """The endpoint did not take the event (no answer in time, or not a 2xx)."""


def signing_key(secret: Secret) -> bytes:
    value = secret.reveal()
    if value.startswith("whsec_"):
        return base64.b64decode(value.removeprefix("whsec_"))
    return value.encode()


def signature(key: bytes, event_id: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(key, f"{event_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def document(event: Event, *, replay: bool) -> bytes:
    """The event in CloudEvents' structured JSON form; `replay` as an extension attribute when true."""
    doc = event.as_json()
    if replay:
        doc["replay"] = True
    return orjson.dumps(doc)


class HttpSink:
    def __init__(
        self, group: str, url: str, secret: SecretRef, timeout_s: float, environ: Mapping[str, str]
    ) -> None:
        self.group = group
        self.url = url
        self.secret_ref = secret
        self.timeout_s = timeout_s
        self.environ = environ
        parts = urlsplit(url)
        self.where = f"{parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}{parts.path}"
        self._key: bytes | None = None
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()

    def prepare(self) -> None:
        if self._key is None:
            found = resolve(
                {"secret": self.secret_ref.variables()}, self.environ, owner=f"consumer group {self.group}"
            )
            self._key = signing_key(found["secret"][0])

    def __call__(self, event: Event, uow: UnitOfWork) -> None:
        self.prepare()
        assert self._key is not None
        replay = current().replay
        body = document(event, replay=replay)
        timestamp = str(int(time.time()))
        headers = {
            "content-type": "application/cloudevents+json",
            "webhook-id": event.id,
            "webhook-timestamp": timestamp,
            "webhook-signature": signature(self._key, event.id, timestamp, body),
            "idempotency-key": event.id,
            "hub-replay": "true" if replay else "false",
            "hub-group": self.group,
        }
        tracing.inject(headers)
        try:
            answer = self._http().post(self.url, content=body, headers=headers, timeout=self.timeout_s)
        except httpx.HTTPError as exc:
            raise SinkRefused(f"{self.where}: {type(exc).__name__}: {exc}") from None
        if not 200 <= answer.status_code < 300:
            raise SinkRefused(f"{self.where} answered {answer.status_code}: {answer.text[:200]}")

    def _http(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                self._client = httpx.Client(follow_redirects=False)
            return self._client
