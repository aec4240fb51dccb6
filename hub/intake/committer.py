"""Group commit: concurrent webhook requests share one durable transaction, each still answered after it."""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time

from hub.intake.delivery import Delivery, Receipt
from hub.intake.service import IntakeService

log = logging.getLogger(__name__)

_Waiter = tuple[Delivery, asyncio.AbstractEventLoop, "asyncio.Future[Receipt]", float]

# How long the first request of a batch may wait for others before the commit starts. At steady load
# (hundreds of requests a second) a commit would otherwise carry one or two requests, each paying the
# commit's fixed cost (its fsync above all) alone; at saturation requests queue during the previous
# commit anyway and nothing waits. Counted from the request's arrival, so it bounds the added latency.
LINGER_S = 0.002


def _ranges(ids: list[int]) -> str:
    """Inbox ids as runs: a group commit's rows mostly take consecutive ids ("101-140, 142")."""
    runs: list[str] = []
    start = prev = ids[0]
    for i in ids[1:]:
        if i != prev + 1:
            runs.append(f"{start}-{prev}" if prev != start else str(start))
            start = i
        prev = i
    runs.append(f"{start}-{prev}" if prev != start else str(start))
    return ", ".join(runs)


def log_stored(deliveries: list[Delivery], results: list[Receipt | Exception]) -> None:
    """What a group commit stored, never a payload: per connector one line naming every accepted
    delivery's id (for `hub quarantine show ID`) and one counting duplicates; a line of its own, with the
    reason, for each delivery held or ignored. A line per delivery cost a large share of the event loop's
    time per request. A failure is logged by the request it is answered to."""
    accepted: dict[str, tuple[list[int], list[int]]] = {}  # connector: (inbox ids, events)
    duplicates: dict[str, int] = {}
    for d, r in zip(deliveries, results, strict=True):
        if isinstance(r, Exception):
            continue
        if r.status == "accepted" and r.inbox_id is not None:
            ids, events = accepted.setdefault(d.connector, ([], []))
            ids.append(r.inbox_id)
            events.append(r.events)
        elif r.status == "duplicate":
            duplicates[d.connector] = duplicates.get(d.connector, 0) + 1
        elif r.status == "quarantined":
            log.warning("delivery %s to %s: quarantined: %s", r.inbox_id, d.connector, r.reason)
        else:
            log.info("delivery %s to %s: %s: %s", r.inbox_id, d.connector, r.status, r.reason)
    for connector, (ids, events) in accepted.items():
        which = f"delivery {ids[0]}" if len(ids) == 1 else f"deliveries {_ranges(sorted(ids))}"
        log.info("%s to %s: accepted, %d event(s)", which, connector, sum(events))
    for connector, n in duplicates.items():
        if n == 1:
            log.info("delivery to %s: duplicate of one already stored, nothing new", connector)
        else:
            log.info("%d deliveries to %s: duplicates of ones already stored, nothing new", n, connector)


def _settle(waiters: list[tuple[asyncio.Future[Receipt], Receipt | Exception]]) -> None:
    """Runs on the event loop: answer every request of a batch in one go."""
    for future, result in waiters:
        if future.done():  # the request was cancelled (client gone); the delivery is stored anyway
            continue
        if isinstance(result, Exception):
            future.set_exception(result)
        else:
            future.set_result(result)


class GroupCommitter:
    def __init__(self, service: IntakeService, max_batch: int = 256, linger_s: float = LINGER_S) -> None:
        self.service = service
        self.max_batch = max_batch
        self.linger_s = linger_s
        # Lists of waiters, each what one event loop submitted in one of its iterations.
        self._queue: queue.SimpleQueue[list[_Waiter] | None] = queue.SimpleQueue()  # None: stop
        self._pending: dict[asyncio.AbstractEventLoop, list[_Waiter]] = {}
        self._thread = threading.Thread(target=self._run, name="intake-commit", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Finish what was submitted, then stop."""
        if self._thread.is_alive():
            for loop in list(self._pending):
                self._queue.put(self._pending.pop(loop))
            self._queue.put(None)
            self._thread.join()

    async def submit(self, delivery: Delivery) -> Receipt:
        # An asyncio future settled by one call_soon_threadsafe per batch: a concurrent.futures Future
        # per request (asyncio.wrap_future) costs a loop wake-up and a thread-safe callback per request.
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Receipt] = loop.create_future()
        pending = self._pending.get(loop)
        if pending is None:
            pending = self._pending[loop] = []
            loop.call_soon(self._hand_over, loop)
        pending.append((delivery, loop, future, time.monotonic()))
        return await future

    def _hand_over(self, loop: asyncio.AbstractEventLoop) -> None:
        """Runs on the loop once the requests of its iteration have been submitted: one put for all of
        them. A put per request woke the waiting commit thread per request, a context switch and a GIL
        hand-over each on the core the loop shares with it."""
        self._queue.put(self._pending.pop(loop))

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                return
            batch = list(first)  # may end up past max_batch by one hand-over: they are answered together
            deadline = batch[0][3] + self.linger_s
            while len(batch) < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    wait = deadline - time.monotonic()
                    if wait <= 0:
                        break
                    try:
                        item = self._queue.get(timeout=wait)
                    except queue.Empty:
                        break
                if item is None:
                    stopping = True
                    break
                batch.extend(item)
            self._commit(batch)

    def _commit(self, batch: list[_Waiter]) -> None:
        try:
            results = self.service.accept([d for d, _, _, _ in batch])
        except Exception as exc:  # never leave a request hanging
            log.exception("intake failed")
            results = [exc] * len(batch)
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Receipt], Receipt | Exception]]]
        by_loop = {}
        for (_, loop, future, _), result in zip(batch, results, strict=True):
            by_loop.setdefault(loop, []).append((future, result))
        for loop, waiters in by_loop.items():
            try:
                loop.call_soon_threadsafe(_settle, waiters)
            except RuntimeError:  # that loop is closed: nobody is waiting any more
                log.warning("event loop closed before %d delivery answer(s) could be sent", len(waiters))
        log_stored([d for d, _, _, _ in batch], results)  # after the answers: they do not wait for it
