"""The OpenTelemetry SDK's in-memory exporter, for tests that look at the spans the hub makes.

The SDK takes one global tracer provider per process: it is installed on first use and stays. The hub
makes spans only while a test holds `captured_spans` (hub.tracing.set_enabled), and only then are spans
kept (FastAPI's own server spans go on once a provider exists; later tests' spans are dropped).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from hub import tracing

_EXPORTER = InMemorySpanExporter()


class _WhileCapturing(SpanExporter):
    def export(self, spans: object) -> SpanExportResult:
        if tracing.enabled():
            return _EXPORTER.export(spans)  # type: ignore[arg-type]
        return SpanExportResult.SUCCESS


def _install() -> None:
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(_WhileCapturing()))
        trace.set_tracer_provider(provider)


@pytest.fixture
def captured_spans() -> Iterator[InMemorySpanExporter]:
    _install()
    _EXPORTER.clear()
    tracing.set_enabled(True)
    try:
        yield _EXPORTER
    finally:
        tracing.set_enabled(False)
        _EXPORTER.clear()


def hex_trace(span: ReadableSpan) -> str:
    assert span.context is not None
    return f"{span.context.trace_id:032x}"
