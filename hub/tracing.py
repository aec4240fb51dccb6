"""Distributed tracing with the OpenTelemetry SDK, set up by the standard OTEL_* variables.

One trace follows an event: the webhook request's span (its context is stored with every outbox row the
request commits, and travels as the event's `traceparent`, in the envelope and the broker's headers), the
relay's batched send (linked to each message's context, per the OTel messaging conventions) and each
consumer group's `process` span, a child of that context.

`OTEL_TRACES_EXPORTER` picks the exporters (`otlp`, `console`, `none`; comma-separated); unset, the hub
exports over OTLP (HTTP/protobuf) when an `OTEL_EXPORTER_OTLP_*ENDPOINT` is set and nowhere otherwise, so a
machine without a collector is not sent retries to a port nobody listens on. `OTEL_SERVICE_NAME`,
`OTEL_RESOURCE_ATTRIBUTES`, `OTEL_TRACES_SAMPLER`, `OTEL_BSP_*` and `OTEL_SDK_DISABLED` work as the SDK
documents them.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable, Mapping, MutableMapping
from importlib.metadata import entry_points
from typing import Any

from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.trace import Link, Span, SpanContext, SpanKind, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

log = logging.getLogger(__name__)

_W3C = TraceContextTextMapPropagator()
_configured = threading.Lock()
_done = False
_enabled = False
_ALIASES = {"otlp": "otlp_proto_http"}  # the exporter package the hub ships speaks OTLP over HTTP
DEFAULT_LINK_LIMIT = 1024  # a relay batch links every message it sends (1000 by default)

__all__ = ["Link", "Span", "SpanKind", "configure", "context_of", "current_traceparent", "tracer"]


def _exporter_names(env: Mapping[str, str]) -> list[str]:
    named = env.get("OTEL_TRACES_EXPORTER")
    if named is None:
        endpoint = env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_ENDPOINT")
        return ["otlp"] if endpoint else []
    return [n.strip() for n in named.split(",") if n.strip() and n.strip() != "none"]


def configure(service_name: str = "hub", environ: Mapping[str, str] | None = None) -> bool:
    """Install the SDK's tracer provider with the exporters the environment names; once per process, and
    not over a provider someone else installed (a test's in-memory exporter). True if spans go anywhere."""
    global _done
    env = os.environ if environ is None else environ
    with _configured:
        if _done or env.get("OTEL_SDK_DISABLED", "").lower() == "true":
            return _done
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import SpanLimits, TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        if isinstance(trace.get_tracer_provider(), TracerProvider):  # opentelemetry-instrument's, say
            _done = True
            set_enabled(True)
            return True
        names = _exporter_names(env)
        if not names:
            return False
        named_service = env.get("OTEL_SERVICE_NAME") or "service.name=" in env.get(
            "OTEL_RESOURCE_ATTRIBUTES", ""
        )
        resource = Resource.create({} if named_service else {"service.name": service_name})
        links = int(env.get("OTEL_SPAN_LINK_COUNT_LIMIT") or DEFAULT_LINK_LIMIT)
        provider = TracerProvider(resource=resource, span_limits=SpanLimits(max_links=links))
        for name in names:
            provider.add_span_processor(BatchSpanProcessor(_exporter(name)))
        trace.set_tracer_provider(provider)
        _done = True
        set_enabled(True)
        log.info("tracing: exporting spans to %s", ", ".join(names))
        return True


def _exporter(name: str) -> Any:
    wanted = _ALIASES.get(name, name)
    found = [ep for ep in entry_points(group="opentelemetry_traces_exporter") if ep.name == wanted]
    if not found:
        known = sorted({ep.name for ep in entry_points(group="opentelemetry_traces_exporter")} | {"otlp"})
        raise ValueError(f"OTEL_TRACES_EXPORTER={name!r}: no such exporter; known: {', '.join(known)}, none")
    return found[0].load()()


def enabled() -> bool:
    """The hub makes spans: tracing is configured (off, a span per event would cost for nothing)."""
    return _enabled


def set_enabled(on: bool) -> None:
    """For configure(), and for a test that installed its own provider (the SDK's in-memory exporter)."""
    global _enabled
    _enabled = on


def tracer() -> Tracer:
    return trace.get_tracer("hub")


def context_of(traceparent: str | None) -> Context | None:
    """A parent context from a W3C traceparent (None when there is none)."""
    if not traceparent:
        return None
    return _W3C.extract({"traceparent": traceparent})


def span_context_of(traceparent: str | None) -> SpanContext | None:
    context = context_of(traceparent)
    if context is None:
        return None
    span_context = trace.get_current_span(context).get_span_context()
    return span_context if span_context.is_valid else None


def links_to(traceparents: Iterable[str | None]) -> list[Link]:
    """One link per distinct context: a send span's ties to the messages it carries."""
    seen: dict[str, Link] = {}
    for tp in traceparents:
        if tp and tp not in seen:
            span_context = span_context_of(tp)
            if span_context is not None:
                seen[tp] = Link(span_context)
    return list(seen.values())


def batch_span(
    name: str, traceparents: Iterable[str | None], kind: SpanKind, attributes: Mapping[str, Any]
) -> Any:
    """A span over work done for many messages or requests at once: the child of their context when they
    share one, else linked to each (the OTel messaging conventions' batch send)."""
    distinct = list(dict.fromkeys(tp for tp in traceparents if tp))
    if len(distinct) == 1:
        return tracer().start_as_current_span(
            name, context=context_of(distinct[0]), kind=kind, attributes=dict(attributes)
        )
    return tracer().start_as_current_span(
        name, context=Context(), kind=kind, attributes=dict(attributes), links=links_to(distinct)
    )


def traceparent_of(span: Span) -> str | None:
    context = span.get_span_context()
    if not context.is_valid:
        return None
    return f"00-{context.trace_id:032x}-{context.span_id:016x}-{int(context.trace_flags):02x}"


def current_traceparent() -> str | None:
    """The current span's context as a W3C traceparent (None outside any valid span)."""
    return traceparent_of(trace.get_current_span())


def current_ids() -> tuple[str, str] | None:
    """(trace id, span id) of the current span, in hex, for log lines."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return f"{context.trace_id:032x}", f"{context.span_id:016x}"


def inject(headers: MutableMapping[str, str]) -> None:
    """The current context into outgoing HTTP headers (traceparent, tracestate)."""
    propagate.inject(headers)
