"""Run one consumer group: poll, apply each event once, commit offsets after the effects."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from hub.broker.port import Broker, Consumer, Record
from hub.clock import utcnow
from hub.consumers.registry import GroupSpec
from hub.events import Event
from hub.retry import retry_until
from hub.store import Store
from hub.store.group_errors import GroupErrors

log = logging.getLogger(__name__)


class HandlerFailed(RuntimeError):
    pass


def apply_once(store: Store, spec: GroupSpec, events: Sequence[Event], *, reapply: bool = False) -> int:
    """Apply to the group each event it has not applied yet (every event when `reapply`: the group declared
    a second apply harmless), in one transaction with the dedupe rows that record them; return how many
    were applied. A live member and a replay share this."""
    applied_now = 0
    with store.unit_of_work() as uow:
        todo = uow.applied.claim(spec.name, [e.id for e in events], utcnow())
        if reapply:
            todo = {e.id for e in events}
        for event in events:
            if event.id in todo:
                todo.discard(event.id)  # the same event twice in one batch applies once
                spec.handler(event, uow)
                applied_now += 1
        uow.commit()
    return applied_now


@dataclass
class Tally:
    """Records read, and of their events how many were applied and how many skipped as already applied."""

    read: int = 0
    applied: int = 0
    skipped: int = 0

    def __str__(self) -> str:
        return (
            f"read {self.read} record(s): {self.applied} applied, {self.skipped} skipped as already applied"
        )


def may_reapply(spec: GroupSpec) -> None:
    """ValueError unless the group declared that applying its events twice is harmless."""
    if not spec.reapply:
        raise ValueError(
            f"consumer group {spec.name} does not declare reapply=True: applying its events twice is not "
            "known to be harmless, so a rewind skips what it applied"
        )


class GroupRunner:
    def __init__(
        self, store: Store, broker: Broker, spec: GroupSpec, *, batch_size: int = 500, reapply: bool = False
    ) -> None:
        if reapply:
            may_reapply(spec)
        self.store = store
        self.spec = spec
        self.batch_size = batch_size
        self.reapply = reapply
        self.tally = Tally()
        self.failing = True  # until a batch applies: clears an error left by an earlier run
        self.consumer: Consumer = broker.consumer(spec.name, spec.topics)

    def run_once(self, timeout_s: float = 1.0, *, join_grace: bool = True) -> int:
        """Apply one polled batch; return how many records it held."""
        records = self.consumer.poll(self.batch_size, timeout_s, join_grace=join_grace)
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
                retry_until(self._step, stop, f"consumer group {self.spec.name}")
        finally:
            self.close()

    def _step(self) -> int:
        """One batch of `run`, back to `stop` at least once a second; the group's last error is kept."""
        try:
            read = self.run_once(1.0, join_grace=False)
        except Exception as exc:
            self._note_error(exc)
            raise
        if read and self.failing:
            self._note_error(None)
        return read

    def _note_error(self, exc: Exception | None) -> None:
        """Keep the group's last error for `hub groups`, and clear it once a batch applies again. Best
        effort: the store may be what failed."""
        try:
            with self.store.unit_of_work() as uow:
                if exc is None:
                    uow.get(GroupErrors).clear(self.spec.name)
                else:
                    uow.get(GroupErrors).note(self.spec.name, f"{type(exc).__name__}: {exc}", utcnow())
                uow.commit()
            self.failing = exc is not None
        except Exception as failed:
            log.debug("consumer group %s: could not record its state: %s", self.spec.name, failed)

    def close(self) -> None:
        """Leave the group at once (Kafka's LeaveGroup), rather than holding the partitions until the
        group's session timeout notices the member is gone."""
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
        events = [Event.from_binary(r.headers, r.value) for r in records]
        done = apply_once(self.store, self.spec, events, reapply=self.reapply)
        # Offsets move only after the effects and the dedupe rows are committed.
        self.consumer.commit(records)
        self.tally.read += len(records)
        self.tally.applied += done
        self.tally.skipped += len(events) - done
