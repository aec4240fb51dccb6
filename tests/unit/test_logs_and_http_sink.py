"""Log lines are JSON with the current trace's ids and no secret; an HTTP sink signs what it sends the
Standard Webhooks way and treats a slow or failing endpoint as a failure of the event."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from hub import logs, tracing
from hub.connectors.spec import SecretRef
from hub.consumers.http_sink import HttpSink, SinkRefused
from hub.events import Event
from tests.support.sink import SECRET, Sink, order_paid_event
from tests.support.tracing import captured_spans

__all__ = ["captured_spans"]


@pytest.fixture
def restored_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level


def test_log_lines_are_json_with_trace_ids_and_without_secrets(
    capsys: pytest.CaptureFixture[str], restored_logging: None, captured_spans: InMemorySpanExporter
) -> None:
    logs.configure(secrets=["s3cret-app-key"])
    with tracing.tracer().start_as_current_span("work") as span:
        logging.getLogger("hub.test").info("signed with %s for order %s", "s3cret-app-key", "A-1")
    logging.getLogger("hub.test").warning("outside any span")
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    inside, outside = lines[-2], lines[-1]
    assert inside["message"] == "signed with *** for order A-1"
    assert (inside["level"], inside["logger"]) == ("INFO", "hub.test")
    assert inside["trace_id"] == f"{span.get_span_context().trace_id:032x}"
    assert inside["span_id"] == f"{span.get_span_context().span_id:016x}"
    assert "trace_id" not in outside


def an_event() -> Event:
    return order_paid_event()


def sink_to(url: str, secret: str = SECRET, timeout_s: float = 2.0) -> HttpSink:
    return HttpSink("fulfillment", url, SecretRef(env="SINK_SECRET"), timeout_s, {"SINK_SECRET": secret})


def test_each_post_is_signed_and_carries_its_idempotency_key_and_trace() -> None:
    downstream = Sink().start()
    try:
        sink_to(downstream.url)(an_event(), None)  # type: ignore[arg-type]
    finally:
        downstream.stop()
    (got,) = downstream.received
    assert got.signed
    assert got.headers["idempotency-key"] == got.headers["webhook-id"] == an_event().id
    assert got.headers["content-type"] == "application/cloudevents+json"
    assert got.document["data"]["order_id"] == "A-1" and "replay" not in got.document
    assert got.headers["hub-replay"] == "false"


def test_a_plain_text_secret_signs_too() -> None:
    downstream = Sink(secret="plain-text-key").start()
    try:
        sink_to(downstream.url, secret="plain-text-key")(an_event(), None)  # type: ignore[arg-type]
    finally:
        downstream.stop()
    assert downstream.received[0].signed


class Slow(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        time.sleep(1.5)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_an_error_answer_or_no_answer_in_time_is_a_failure_that_names_the_endpoint() -> None:
    failing = Sink(fail_with=503).start()
    try:
        with pytest.raises(SinkRefused, match=r"http://127\.0\.0\.1:\d+/hooks/hub answered 503"):
            sink_to(failing.url)(an_event(), None)  # type: ignore[arg-type]
    finally:
        failing.stop()
    slow = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=slow.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{slow.server_address[1]}/hooks?token=not-for-logs"
        with pytest.raises(SinkRefused, match="ReadTimeout") as refused:
            sink_to(url, timeout_s=0.3)(an_event(), None)  # type: ignore[arg-type]
        assert "not-for-logs" not in str(refused.value)  # the query (a token, maybe) stays out of errors
    finally:
        slow.shutdown()
        slow.server_close()
