"""Publish committed outbox rows; mark them published only after the broker holds them."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

from hub import faults
from hub.broker.port import Broker, Message
from hub.clock import utcnow
from hub.relay.leases import LeaseKeeper
from hub.relay.wakeup import Wakeup
from hub.store import Store, outbox

log = logging.getLogger(__name__)


class Relay:
    def __init__(
        self,
        store: Store,
        broker: Broker,
        *,
        batch_size: int = 1000,
        shards: Sequence[int] | None = None,
        leases: LeaseKeeper | None = None,
    ) -> None:
        self.store = store
        self.broker = broker
        self.batch_size = batch_size
        self.shards = shards
        self.leases = leases

    def _shards(self) -> Sequence[int] | None:
        if self.leases is None:
            return self.shards
        self.leases.maintain()
        return sorted(self.leases.held())

    def publish_once(self) -> int:
        """One batch. A crash after publish and before mark re-publishes the batch later: at least once."""
        shards = self._shards()
        if shards is not None and not shards:
            return 0
        with self.store.transaction() as conn:
            rows = outbox.pending(conn, self.batch_size, shards)
        if not rows:
            return 0
        # Rows come in id order, which within one key is sequence order; the broker keeps per-key order.
        self.broker.publish(
            [
                Message(
                    topic=r.topic,
                    key=r.partition_key.encode(),
                    value=r.payload,
                    headers=tuple(r.headers),
                    timestamp_ms=r.timestamp_ms,
                )
                for r in rows
            ]
        )
        faults.hit("relay.after_publish")
        with self.store.transaction() as conn:
            # Fencing: a relay whose lease was taken over must not mark; the new holder republishes.
            if self.leases is not None and not self.leases.confirm(conn, {r.shard for r in rows}):
                return 0
            outbox.mark_published(conn, [r.id for r in rows], utcnow())
        return len(rows)

    def drain(self) -> int:
        total = 0
        while n := self.publish_once():
            total += n
        return total

    def run(self, stop: threading.Event, wakeup: Wakeup) -> None:
        backoff = 0.1
        while not stop.is_set():
            try:
                published = self.publish_once()
                backoff = 0.1
            except Exception as exc:  # broker or database away: keep the rows, try again later
                log.warning("relay: %s; retrying in %.1f s", exc, backoff)
                stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)
                continue
            if published < self.batch_size:
                # Wake for the next heartbeat at the latest, so the leases never lapse while idle.
                wakeup.wait(min(1.0, self.leases.due_in()) if self.leases else 1.0)
