"""Group commit: concurrent webhook requests share one durable transaction, each still answered after it."""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from concurrent.futures import Future

from hub.intake.delivery import Delivery, Receipt
from hub.intake.service import IntakeService

log = logging.getLogger(__name__)

_STOP = object()


class GroupCommitter:
    def __init__(self, service: IntakeService, max_batch: int = 256) -> None:
        self.service = service
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="intake-commit", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Finish what was submitted, then stop."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join()

    async def submit(self, delivery: Delivery) -> Receipt:
        future: Future[Receipt] = Future()
        self._queue.put((delivery, future))
        return await asyncio.wrap_future(future)

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is _STOP:
                return
            batch = [first]
            while len(batch) < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stopping = True
                    break
                batch.append(item)
            self._commit(batch)  # type: ignore[arg-type]

    def _commit(self, batch: list[tuple[Delivery, Future[Receipt]]]) -> None:
        try:
            results = self.service.accept([d for d, _ in batch])
        except Exception as exc:  # never leave a request hanging
            log.exception("intake failed")
            results = [exc] * len(batch)
        for (_, future), result in zip(batch, results, strict=True):
            if isinstance(result, Exception):
                future.set_exception(result)
            else:
                future.set_result(result)
