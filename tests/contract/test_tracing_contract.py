"""One trace follows an event, over every store and broker: the webhook request's server span, the relay's
send (a child when it carries one message; linked to each message's trace when it carries many, per the
OTel messaging conventions) and each consumer group's process span, a child of the request's context that
the event carried through the outbox, the envelope and the broker's headers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from hub.broker.port import Broker
from hub.config import Settings
from hub.consumers.discovery import groups
from hub.consumers.runner import GroupRunner
from hub.intake.committer import GroupCommitter
from hub.intake.service import IntakeService
from hub.project import Project
from hub.receiver.endpoints import build_endpoints
from hub.relay import Relay
from hub.store import Store
from hub.up import receiver_app
from hub.wiring import connector_secrets
from tests.contract.stacks import EmbeddedStack, KafkaStack, PostgresStack, SqliteStack
from tests.support.orders import order_delivery
from tests.support.paths import REPO
from tests.support.secrets import BUNDLED_SECRETS, tiktok_signature
from tests.support.tracing import captured_spans, hex_trace

__all__ = ["captured_spans"]  # the fixture, used by name


def by_kind(spans: list[ReadableSpan], kind: SpanKind, name: str | None = None) -> list[ReadableSpan]:
    return [s for s in spans if s.kind == kind and (name is None or s.name == name)]


def under(span: ReadableSpan, ancestor: ReadableSpan, spans: list[ReadableSpan]) -> bool:
    """`ancestor` is on `span`'s chain of parents (FastAPI's endpoint span may stand between)."""
    by_id = {s.context.span_id: s for s in spans}
    parent = span.parent
    while parent is not None:
        if parent.span_id == ancestor.context.span_id:
            return True
        found = by_id.get(parent.span_id)
        parent = found.parent if found is not None else None
    return False


class TracingContract:
    @pytest.fixture
    def client(self, store: Store, tmp_path: Path) -> Iterator[TestClient]:
        project = Project.load(REPO, ["tiktok"])
        settings = Settings.from_env({**BUNDLED_SECRETS, "HUB_HOME": str(tmp_path)})
        committer = GroupCommitter(IntakeService(project, store))
        app = receiver_app(build_endpoints(project, connector_secrets(project, settings)), committer, None)
        with TestClient(app) as client:
            yield client

    def post(self, client: TestClient, order: int) -> None:
        body = order_delivery(order, 0, run="trace").body
        answer = client.post(
            "/webhooks/tiktok", content=body, headers={"Authorization": tiktok_signature(body)}
        )
        assert answer.status_code == 200 and answer.json()["status"] == "accepted", answer.text

    def test_one_trace_from_the_webhook_through_the_relay_to_two_groups_handlers(
        self, store: Store, broker: Broker, client: TestClient, captured_spans: InMemorySpanExporter
    ) -> None:
        builtin = groups()
        runners = [GroupRunner(store, broker, builtin[name]) for name in ("audit", "order-view")]
        try:
            self.post(client, 1)
            assert Relay(store, broker).drain() == 1
            assert [r.drain() for r in runners] == [1, 1]
            spans = list(captured_spans.get_finished_spans())
            (request,) = by_kind(spans, SpanKind.SERVER)
            (send,) = by_kind(spans, SpanKind.PRODUCER)
            process = by_kind(spans, SpanKind.CONSUMER)
            trace_id = hex_trace(request)
            assert request.name == "POST /webhooks/{connector}"
            assert request.attributes["http.response.status_code"] == 200
            assert hex_trace(send) == trace_id and under(send, request, spans)
            assert send.attributes["messaging.system"] == broker.system
            groups_seen = sorted(str(s.attributes["messaging.consumer.group.name"]) for s in process)
            assert groups_seen == ["audit", "order-view"]
            for span in process:  # each group's handler, in the webhook's trace, under its request
                assert hex_trace(span) == trace_id and under(span, request, spans)
                assert span.name == "process orders"

            # Several webhooks, one relay batch: the send links each message's trace (a span has one parent).
            captured_spans.clear()
            for order in (2, 3, 4):
                self.post(client, order)
            assert Relay(store, broker).drain() == 3
            assert [r.drain() for r in runners] == [3, 3]
            spans = list(captured_spans.get_finished_spans())
            requests = {hex_trace(s) for s in by_kind(spans, SpanKind.SERVER)}
            (send,) = by_kind(spans, SpanKind.PRODUCER)
            assert len(requests) == 3
            assert {f"{link.context.trace_id:032x}" for link in send.links} == requests
            assert send.attributes["messaging.batch.message_count"] == 3
            process = by_kind(spans, SpanKind.CONSUMER)
            assert (
                sorted(hex_trace(s) for s in process) == sorted(requests) * 2
                or {hex_trace(s) for s in process} == requests
            )
            assert len(process) == 6
        finally:
            for runner in runners:
                runner.consumer.close()


class TestSqliteEmbedded(SqliteStack, EmbeddedStack, TracingContract):
    pass


class TestSqliteKafka(SqliteStack, KafkaStack, TracingContract):
    pass


class TestPostgresEmbedded(PostgresStack, EmbeddedStack, TracingContract):
    pass


class TestPostgresKafka(PostgresStack, KafkaStack, TracingContract):
    pass
