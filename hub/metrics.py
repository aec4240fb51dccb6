"""Prometheus metrics (the official client library): counters the hub's parts increment as they work,
and the figures read from the store and the broker when scraped (status.py, the same ones as `hub status`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, disable_created_metrics
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from hub.status import Status

disable_created_metrics()  # type: ignore[no-untyped-call]  # the *_created series: a start time per counter nobody asked for

# Counters live for the process; every app's registry shows them (Included below).
COUNTERS = CollectorRegistry(auto_describe=True)
WEBHOOKS = Counter(
    "hub_webhooks",
    "Webhook deliveries answered, by connector and outcome (accepted, quarantined, ignored, duplicate, "
    "refused, too_large, malformed, unknown_connector, unavailable, disconnected).",
    ["connector", "outcome"],
    registry=COUNTERS,
)
RELAY_PUBLISHED = Counter(
    "hub_relay_published", "Outbox events the relay published and marked.", registry=COUNTERS
)
CONSUMED = Counter(
    "hub_consumer_records",
    "Records a consumer group read and settled, by group.",
    ["group"],
    registry=COUNTERS,
)
DEAD_LETTERED = Counter(
    "hub_dead_letters", "Events a consumer group gave up on, by group.", ["group"], registry=COUNTERS
)


class Included(Collector):
    """Another registry's metrics as part of this one's."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self) -> Iterator[Metric]:
        yield from self.registry.collect()


class StatusCollector(Collector):
    """The store's and the broker's figures, read at each scrape."""

    def __init__(self, snapshot: Callable[[], Status]) -> None:
        self.snapshot = snapshot

    def describe(self) -> list[Metric]:
        return []  # read at scrape time only: registering must not query the store

    def collect(self) -> Iterator[Metric]:
        status = self.snapshot()
        yield _gauge(
            "hub_quarantine_size", "Payloads in quarantine, not yet re-normalized.", status.quarantine
        )
        yield _gauge("hub_outbox_pending", "Committed events not yet published.", status.outbox_pending)
        yield _gauge(
            "hub_outbox_oldest_age_seconds",
            "Age of the oldest event not yet published (0 when none waits).",
            status.outbox_oldest_age_s,
        )
        dlq = GaugeMetricFamily("hub_dlq_size", "Dead letters per consumer group.", labels=["group"])
        parked = GaugeMetricFamily("hub_parked_keys", "Parked keys per consumer group.", labels=["group"])
        lag = GaugeMetricFamily(
            "hub_consumer_lag",
            "Records a group has not committed yet, per topic partition.",
            labels=["group", "topic", "partition"],
        )
        for group in status.groups:
            dlq.add_metric([group.name], group.dead_letters)
            parked.add_metric([group.name], group.parked_keys)
            for (topic, partition), behind in sorted(group.lag.items()):
                lag.add_metric([group.name, topic, str(partition)], behind)
        yield from (dlq, parked, lag)


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def registry(snapshot: Callable[[], Status] | None) -> CollectorRegistry:
    """What one /metrics endpoint serves: the process's counters and, given a snapshot, the figures."""
    found = CollectorRegistry(auto_describe=False)
    found.register(Included(COUNTERS))
    if snapshot is not None:
        found.register(StatusCollector(snapshot))
    return found
