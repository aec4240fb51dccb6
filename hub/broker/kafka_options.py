"""Settings of the Kafka broker adapter, read from the query string of HUB_BROKER_URL.

`kafka://h1:9092,h2:9092?replication_factor=3&session_timeout_ms=10000` sets two of them; everything
else keeps the defaults below.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from urllib.parse import parse_qsl


@dataclass(frozen=True)
class KafkaOptions:
    replication_factor: int = 1
    # Producer. publish() always ends with a flush, so a long linger adds no latency: it only stops the
    # sender from draining half-filled batches while a relay batch is still being appended, which cost
    # about a third of the throughput in measurements here.
    linger_ms: int = 100
    batch_size: int = 256 * 1024
    request_timeout_ms: int = 15_000
    # How long one publish may keep retrying a broker that is away before it fails the batch.
    delivery_timeout_ms: int = 30_000
    max_block_ms: int = 15_000
    # Consumer groups. Kafka's own default session timeout; tests that kill a member lower it.
    session_timeout_ms: int = 45_000
    heartbeat_interval_ms: int = 3_000
    max_poll_interval_ms: int = 300_000
    # Admin calls, group joins and metadata look-ups.
    api_timeout_ms: int = 30_000
    # kafka-python backs off reconnects up to 30 s; after a broker restart that left the hub idle for
    # up to half a minute. A few seconds is still gentle on a broker that is away.
    reconnect_backoff_max_ms: int = 3_000

    @property
    def heartbeat_ms(self) -> int:
        # Kafka wants heartbeats well inside the session timeout; a third is its rule of thumb.
        return min(self.heartbeat_interval_ms, max(self.session_timeout_ms // 3, 100))


def parse_bootstrap(spec: str) -> tuple[list[str], KafkaOptions]:
    """Split `host:port[,host:port...][?option=value&...]` into servers and options."""
    servers, _, query = spec.partition("?")
    hosts = [s.strip() for s in servers.split(",") if s.strip()]
    if not hosts:
        raise ValueError(f"kafka URL names no bootstrap server: {spec!r}")
    known = {f.name for f in dataclasses.fields(KafkaOptions)}
    values: dict[str, int] = {}
    for name, raw in parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query)):
        if name not in known:
            raise ValueError(f"unknown kafka URL option {name!r}; known: {', '.join(sorted(known))}")
        try:
            values[name] = int(raw)
        except ValueError:
            raise ValueError(f"kafka URL option {name} must be an integer, not {raw!r}") from None
    return hosts, KafkaOptions(**values)
