"""Run one consumer group: poll, apply each event once, commit offsets after the effects."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from hub.broker.port import Broker, Consumer, Record
from hub.clock import utcnow
from hub.consumers.registry import GroupSpec
from hub.events import Event
from hub.retry import retry_until
from hub.store import Store


class HandlerFailed(RuntimeError):
    pass


def apply_once(store: Store, spec: GroupSpec, events: Sequence[Event]) -> int:
    """Apply to the group each event it has not applied yet, in one transaction with the dedupe rows
    that record them; return how many were applied. A live member and a replay share this."""
    applied_now = 0
    with store.unit_of_work() as uow:
        fresh = uow.applied.claim(spec.name, [e.id for e in events], utcnow())
        for event in events:
            if event.id in fresh:
                fresh.discard(event.id)  # the same event twice in one batch applies once
                spec.handler(event, uow)
                applied_now += 1
        uow.commit()
    return applied_now


class GroupRunner:
    def __init__(self, store: Store, broker: Broker, spec: GroupSpec, *, batch_size: int = 500) -> None:
        self.store = store
        self.spec = spec
        self.batch_size = batch_size
        self.consumer: Consumer = broker.consumer(spec.name, spec.topics)

    def run_once(self, timeout_s: float = 1.0) -> int:
        """Apply one polled batch; return how many records it held."""
        records = self.consumer.poll(self.batch_size, timeout_s)
        if records:
            self._apply(records)
        return len(records)

    def drain(self, timeout_s: float = 0.2) -> int:
        total = 0
        while n := self.run_once(timeout_s):
            total += n
        return total

    def run(self, stop: threading.Event) -> None:
        try:
            while not stop.is_set():
                # A failure holds this group only: it waits and retries, other groups run on regardless.
                retry_until(lambda: self.run_once(1.0), stop, f"consumer group {self.spec.name}")
        finally:
            # Also on Ctrl-C: a member that stops leaves its group at once, rather than holding its
            # partitions until the group's session timeout notices it is gone.
            self.consumer.close()

    def _apply(self, records: Sequence[Record]) -> None:
        try:
            self._apply_together(records)
        except Exception:
            # Find the event that fails: apply one by one, commit what succeeded, rewind to the failure.
            for index, record in enumerate(records):
                try:
                    self._apply_together([record])
                except Exception as exc:
                    self.consumer.seek_to_records(records[index:])
                    raise HandlerFailed(
                        f"{record.topic}[{record.partition}]@{record.offset}: {type(exc).__name__}: {exc}"
                    ) from exc
            return

    def _apply_together(self, records: Sequence[Record]) -> None:
        apply_once(self.store, self.spec, [Event.from_binary(r.headers, r.value) for r in records])
        # Offsets move only after the effects and the dedupe rows are committed.
        self.consumer.commit(records)
