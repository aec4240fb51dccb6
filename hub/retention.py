"""Retention: delete published outbox rows and consumer dedupe rows once they are old enough.

Each batch is its own short transaction, so cleanup never holds locks for long and never blocks intake
or the relay for more than one small DELETE.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from hub.clock import utcnow
from hub.store import Store, UnitOfWork

log = logging.getLogger(__name__)

BATCH = 1000


@dataclass(frozen=True, slots=True)
class Cleaned:
    outbox: int
    consumer_inbox: int
    seconds: float


def _in_batches(store: Store, delete: Callable[[UnitOfWork], int], batch: int) -> int:
    total = 0
    while True:
        with store.unit_of_work() as uow:
            deleted = delete(uow)
            uow.commit()
        total += deleted
        if deleted < batch:
            return total


def cleanup(
    store: Store, retention: timedelta, *, batch: int = BATCH, now: datetime | None = None
) -> Cleaned:
    """Delete what is older than `retention`: outbox rows by published_at (never unpublished ones),
    consumer_inbox rows by applied_at."""
    began = time.monotonic()
    cutoff = (now or utcnow()) - retention
    published = _in_batches(store, lambda uow: uow.outbox.delete_published_before(cutoff, batch), batch)
    claims = _in_batches(store, lambda uow: uow.applied.delete_applied_before(cutoff, batch), batch)
    return Cleaned(published, claims, time.monotonic() - began)


class Cleaner:
    """Cleanup on a timer, in a thread of `hub relay` and `hub up`: once at start, then every `every`."""

    def __init__(self, store: Store, retention: timedelta, every: timedelta) -> None:
        self.store = store
        self.retention = retention
        self.every_s = every.total_seconds()

    def run(self, stop: threading.Event) -> None:
        while True:
            try:
                done = cleanup(self.store, self.retention)
                if done.outbox or done.consumer_inbox:
                    log.info(
                        "cleanup: deleted %d outbox and %d consumer_inbox row(s) in %.1f s",
                        done.outbox,
                        done.consumer_inbox,
                        done.seconds,
                    )
            except Exception as exc:  # the database may be away; the next round tries again
                log.warning("cleanup failed: %s", exc)
            if stop.wait(self.every_s):
                return

    def spawn(self, stop: threading.Event) -> threading.Thread:
        thread = threading.Thread(target=self.run, args=(stop,), name="cleanup", daemon=True)
        thread.start()
        return thread
