"""Run one consumer group: poll a batch, apply it in one transaction, commit offsets after the effects.

A batch is applied together: one dedupe claim for all its events, every handler, one commit. When a
handler fails, the batch is applied again event by event (failures.py): each event in a savepoint, the
failing ones retried with the group's backoff and then kept as dead letters; in a group ordered per key a
dead letter parks its key, and the key's later events wait, in order, while other keys flow. A group whose
sink is another system (HTTP) calls it outside any write transaction (outside.py).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from hub import metrics, tracing
from hub.broker.port import Broker, Consumer, Record
from hub.clock import utcnow
from hub.consumers import failures, outside
from hub.consumers.apply import Item, call, claim, letter, read, store_failure
from hub.consumers.delivery import Delivery, set_current
from hub.consumers.registry import GroupSpec
from hub.events import Event
from hub.retry import Interrupted, retry_until
from hub.store import Store
from hub.store.group_errors import GroupErrors

log = logging.getLogger(__name__)


def apply_once(store: Store, spec: GroupSpec, events: Sequence[Event], *, reapply: bool = False) -> int:
    """Replay's way in (hub/replay.py): apply to the group each event it has not applied yet (every event
    when `reapply`: the group declared a second apply harmless), in one transaction with the dedupe rows
    that record them, each delivery marked as a replay; return how many were applied."""
    applied_now = 0
    with store.unit_of_work() as uow:
        todo = uow.applied.claim(spec.name, [e.id for e in events], utcnow())
        if reapply:
            todo = {e.id for e in events}
        set_current(Delivery(spec.name, replay=True))
        try:
            for event in events:
                if event.id in todo:
                    todo.discard(event.id)  # the same event twice in one batch applies once
                    spec.handler(event, uow)
                    applied_now += 1
        finally:
            set_current(None)
        uow.commit()
    return applied_now


@dataclass
class Tally:
    """Records read, and of their events how many were applied, kept (dead letters, parked) and skipped
    (applied before, or of a type the group does not take)."""

    read: int = 0
    applied: int = 0
    kept: int = 0

    @property
    def skipped(self) -> int:
        return self.read - self.applied - self.kept

    def __str__(self) -> str:
        text = (
            f"read {self.read} record(s): {self.applied} applied, {self.skipped} skipped as already applied"
        )
        return text + (f", {self.kept} kept as dead letters or parked (hub dlq ls)" if self.kept else "")


def may_reapply(spec: GroupSpec) -> None:
    """ValueError unless the group declared that applying its events twice is harmless."""
    if not spec.reapply:
        raise ValueError(
            f"consumer group {spec.name} does not declare reapply=True: applying its events twice is not "
            "known to be harmless, so a rewind skips what it applied"
        )


class GroupRunner:
    def __init__(
        self,
        store: Store,
        broker: Broker,
        spec: GroupSpec,
        *,
        batch_size: int = 1000,
        reapply: bool = False,
        stop: threading.Event | None = None,
    ) -> None:
        if reapply:
            may_reapply(spec)
        spec.prepare()
        self.store = store
        self.spec = spec
        self.batch_size = batch_size
        self.reapply = reapply
        self.tally = Tally()
        self.failing = True  # until a batch applies: clears an error left by an earlier run
        self.kept_last = False  # the last batch kept dead letters or parked events
        self.stop = stop or threading.Event()  # ends the waits between retries of a failing event
        with store.read_only() as uow:
            self.marks = uow.replay_marks.of(spec.name)
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
        self.stop = stop
        try:
            while not stop.is_set():
                # The store failing holds this group only: it waits and retries, other groups run on.
                retry_until(self._step, stop, f"consumer group {self.spec.name}")
        finally:
            self.close()

    def _step(self) -> int:
        """One batch of `run`, back to `stop` at least once a second; the group's last error is kept."""
        try:
            read = self.run_once(1.0, join_grace=False)
        except Interrupted:
            raise  # told to stop mid-retry: not the group's error
        except Exception as exc:
            self._note_error(exc)
            raise
        if self.kept_last:
            self.failing = True  # a dead letter noted itself as the group's last error: it stays shown
        elif read and self.failing:
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
        items = [read(r, self.marks) for r in records]
        wanted = [i for i in items if i.event is None or self.spec.wants(i.event.type)]
        traced = tracing.enabled()
        done = (0, 0)
        try:
            if wanted and not self.spec.transactional:
                done = outside.deliver(self.spec, self.store, wanted, traced, self.stop)
            elif wanted:
                try:
                    done = self._apply_together(wanted, traced)
                except Exception as exc:
                    if store_failure(exc):
                        raise
                    log.info("consumer group %s: %s; applying the batch event by event", self.spec.name, exc)
                    done = failures.apply_one_by_one(self.spec, self.store, wanted, traced, self.stop)
        except BaseException:
            # Read again from the first record of the batch: what was applied meanwhile is skipped by the
            # dedupe claims, what was kept as a dead letter stays kept.
            self.consumer.seek_to_records(records)
            raise
        # Offsets move only after the effects, the dedupe claims and the dead letters are committed.
        self.consumer.commit(records)
        self.tally.read += len(records)
        self.tally.applied += done[0]
        self.tally.kept += done[1]
        self.kept_last = done[1] > 0
        metrics.CONSUMED.labels(self.spec.name).inc(len(records))

    def _apply_together(self, items: list[Item], traced: bool) -> tuple[int, int]:
        """(applied, kept) of one batch in one transaction."""
        with self.store.unit_of_work() as uow:
            fresh = claim(self.spec, uow, items)
            if self.reapply:  # on purpose: the group declared that a second apply is harmless
                fresh = {i.event_id for i in items}
            parked = (
                uow.dead_letters.parked_among(self.spec.name, {i.key for i in items if i.event_id in fresh})
                if self.spec.ordered and fresh
                else set()
            )
            kept = []
            applied = 0
            with uow.batched():  # the built-in groups' rows go in one statement per batch
                for item in items:
                    if item.event_id not in fresh:
                        continue  # applied (or kept) before: a redelivery
                    fresh.discard(item.event_id)  # the same event twice in one batch applies once
                    if item.problem is not None:
                        kept.append(letter(item, "dead", item.problem, attempts=1))
                        if self.spec.ordered:
                            uow.dead_letters.park(self.spec.name, item.key, item.problem, utcnow())
                            parked.add(item.key)
                    elif item.key in parked:
                        kept.append(letter(item, "parked"))
                    else:
                        call(self.spec, item, uow, traced)
                        applied += 1
            uow.dead_letters.add(self.spec.name, kept, utcnow())
            uow.commit()
        failures.log_kept(self.spec, kept)
        return applied, len(kept)
