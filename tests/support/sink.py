"""A downstream system on loopback for HTTP sink tests: it checks each POST's Standard Webhooks signature
and keeps what arrived; `fail_with` makes it answer an error status instead."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from hub.events import Event
from hub.events.orders import OrderPaid
from tests.support.paths import REPO

SECRET = "whsec_" + base64.b64encode(b"test-fulfillment-signing-key").decode()


@dataclass
class Received:
    headers: dict[str, str]
    document: dict[str, Any]
    signed: bool


@dataclass
class Sink:
    secret: str = SECRET
    received: list[Received] = field(default_factory=list)
    fail_with: int | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> Sink:
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                headers = {k.lower(): v for k, v in self.headers.items()}
                with sink._lock:
                    status = sink.fail_with or 200
                    if status == 200:
                        sink.received.append(Received(headers, json.loads(body), sink.verify(headers, body)))
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/hub"

    def verify(self, headers: dict[str, str], body: bytes) -> bool:
        plain = not self.secret.startswith("whsec_")
        key = self.secret.encode() if plain else base64.b64decode(self.secret.removeprefix("whsec_"))
        signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
        expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        return hmac.compare_digest(expected, headers["webhook-signature"])

    def ids(self) -> list[str]:
        with self._lock:
            return [r.headers["idempotency-key"] for r in self.received]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def project_with_groups(tmp_path: Path, **declarations: str) -> Path:
    """A project folder with the repository's connectors and mappings and these consumer groups."""
    project = tmp_path / "project"
    (project / "consumers").mkdir(parents=True)
    for folder in ("connectors", "mappings"):
        (project / folder).symlink_to(REPO / folder)
    for name, text in declarations.items():
        (project / "consumers" / f"{name}.yaml").write_text(text)
    return project


def order_paid_event(order_id: str = "A-1") -> Event:
    """One OrderPaid envelope, as a producer would send it."""
    data = OrderPaid(occurred_at="2026-11-01T12:00:00Z", channel="shop", order_id=order_id)  # type: ignore[arg-type]
    return Event.create(
        data,
        event_id="7d2c1f0e-0000-4000-8000-000000000001",
        source="/connectors/shop",
        sequence=1,
        correlationid="d",
        causationid="d",
        traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    )
