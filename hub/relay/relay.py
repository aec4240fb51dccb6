"""Publish committed outbox rows; mark them published only after the broker holds them.

The guarantees: every committed row reaches the broker at least once (a crash may republish, never
skip), and the rows of one key first reach it in commit order. `stream` overlaps the steps without
weakening either: while the broker works on batch N, a worker thread marks batch N-1 (acked in full
before) and reads batch N+1 (leaving out N's rows). Batch N+1 goes to the broker only once every
message of N is acked, marks happen strictly in batch order, and on any failure the read-ahead is
dropped, so what was not marked is read again, in id order, by the next attempt.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections.abc import Collection, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from hub import faults, metrics, tracing
from hub.broker.port import Broker, JsonHeaders, Message
from hub.clock import utcnow
from hub.relay.leases import LeaseKeeper
from hub.relay.worker import Worker
from hub.retry import retry_until
from hub.store import Store
from hub.store.wakeup import Wakeup

log = logging.getLogger(__name__)

_TRACEPARENT = re.compile(r'"traceparent",\s*"([0-9a-f-]{55})"')


@dataclass(frozen=True, slots=True)
class Batch:
    ids: list[int]
    messages: list[Message]
    # Shard -> the lease epoch this relay held when it read the rows; None for a relay without leases.
    epochs: dict[int, int] | None


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
        self._worker = Worker("relay-db")

    def publish_once(self) -> int:
        """One batch, nothing overlapped. A crash after publish and before mark re-publishes the batch
        later: at least once."""
        batch = self._read()
        if batch is None:
            return 0
        self._send(batch)
        faults.hit("relay.after_publish")
        return len(batch.ids) if self._mark(batch) else 0

    def stream(self, stop: threading.Event | None = None) -> int:
        """Batches back to back, each read and marked while the broker works on its neighbour, until a
        read finds nothing (or `stop` is set). Returns how many rows were published and marked."""
        batch = self._read()
        acked: Batch | None = None
        marked = 0
        while batch is not None:
            if not self._still_held(batch):
                # Read under a lease taken from us since: the holder publishes those rows.
                log.info("relay dropped a read-ahead batch: a shard lease moved since it was read")
                break
            ahead = self._worker.submit(functools.partial(self._mark_then_read, acked, batch.ids))
            try:
                self._send(batch)
            except BaseException:
                _settle(ahead)  # let the earlier batch's mark finish; the read-ahead is dropped
                raise
            faults.hit("relay.after_publish")
            was_marked, following = ahead.result()
            if not was_marked:
                return marked  # fencing: this and the acked batch are left to the new holder
            if acked is not None:
                marked += len(acked.ids)
            acked, batch = batch, following
            if stop is not None and stop.is_set():
                break
        if acked is not None and self._mark(acked):
            marked += len(acked.ids)
        return marked

    def drain(self) -> int:
        total = 0
        while n := self.stream():
            total += n
        return total

    def run(self, stop: threading.Event, wakeup: Wakeup) -> None:
        while not stop.is_set():
            # Broker or database away: the rows stay pending, and the relay tries again after a wait.
            if retry_until(lambda: self.stream(stop), stop, "relay") is None:
                return
            # Caught up. Wake for the next heartbeat at the latest, so the leases never lapse while idle.
            wakeup.wait(min(1.0, self.leases.due_in()) if self.leases else 1.0)

    # -- the steps

    def _send(self, batch: Batch) -> None:
        if not tracing.enabled():
            self.broker.publish(batch.messages)
            return
        topics = sorted({m.topic for m in batch.messages})
        attributes = {
            "messaging.system": getattr(self.broker, "system", "unknown"),
            "messaging.operation.type": "send",
            "messaging.operation.name": "send",
            "messaging.batch.message_count": len(batch.messages),
            **({"messaging.destination.name": topics[0]} if len(topics) == 1 else {}),
        }
        name = f"send {topics[0]}" if len(topics) == 1 else "send"
        with tracing.batch_span(
            name, map(_traceparent, batch.messages), tracing.SpanKind.PRODUCER, attributes
        ):
            self.broker.publish(batch.messages)

    def _read(self, exclude: Collection[int] = ()) -> Batch | None:
        epochs: dict[int, int] | None = None
        shards = self.shards
        if self.leases is not None:
            self.leases.maintain()
            epochs = self.leases.held()
            if not epochs:
                return None
            shards = sorted(epochs)
        with self.store.read_only() as uow:
            rows = uow.outbox.pending(self.batch_size, shards, exclude)
        if not rows:
            return None
        # Rows come in id order, which within one key is sequence order; the broker keeps per-key order.
        messages = [
            Message(r.topic, r.partition_key.encode(), r.payload, JsonHeaders(r.headers_json), r.timestamp_ms)
            for r in rows
        ]
        if epochs is not None:
            epochs = {shard: epochs[shard] for shard in {r.shard for r in rows}}
        return Batch([r.id for r in rows], messages, epochs)

    def _mark(self, batch: Batch) -> bool:
        with self.store.unit_of_work() as uow:
            # Fencing: if any of the batch's shards was granted again since we read its rows, another
            # relay may be publishing them; do not mark, the holder republishes.
            leases, epochs = self.leases, batch.epochs
            if leases is not None and epochs is not None and not leases.confirm(uow, epochs, epochs):
                return False
            uow.outbox.mark_published(batch.ids, utcnow())
            uow.commit()
        metrics.RELAY_PUBLISHED.inc(len(batch.ids))
        return True

    def _mark_then_read(self, acked: Batch | None, in_flight: list[int]) -> tuple[bool, Batch | None]:
        """On the worker: mark the acked batch, then read the next one without the batch in flight."""
        if acked is not None and not self._mark(acked):
            return False, None
        return True, self._read(exclude=in_flight)

    def _still_held(self, batch: Batch) -> bool:
        """Checked just before sending: a read-ahead batch waited a whole publish since it was read."""
        if self.leases is None or batch.epochs is None:
            return True
        held = self.leases.held()
        return all(held.get(shard) == epoch for shard, epoch in batch.epochs.items())


def _traceparent(message: Message) -> str | None:
    """The context each message carries (its creation, at intake), read from the headers as the outbox
    keeps them, without parsing them."""
    headers = message.headers
    if isinstance(headers, JsonHeaders):
        found = _TRACEPARENT.search(headers.json)
        return found.group(1) if found else None
    return next((v.decode() for k, v in headers if k == "traceparent"), None)


def _settle(future: Future[Any]) -> None:
    try:
        future.result()
    except Exception as exc:
        log.warning("relay: the overlapped database step failed too: %s", exc)
