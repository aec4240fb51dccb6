"""A background thread that runs the relay's database steps while the broker works on a batch."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")


class Worker:
    """Runs submitted calls one at a time, in submission order, on a daemon thread.

    The thread ends after `idle_s` without work and a later `submit` starts another, so a relay needs no
    closing and an idle one holds no thread. Not a ThreadPoolExecutor: its threads are joined at
    interpreter exit, and one stuck on a database that went away would keep a stopping process alive.
    Callers wait for every result before acting on it, so nothing is lost with a daemon thread.
    """

    def __init__(self, name: str, idle_s: float = 5.0) -> None:
        self.name = name
        self.idle_s = idle_s
        self._jobs: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, call: Callable[[], T]) -> Future[T]:
        future: Future[T] = Future()
        with self._lock:
            self._jobs.put((call, future))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()
        return future

    def _run(self) -> None:
        while True:
            try:
                call, future = self._jobs.get(timeout=self.idle_s)
            except queue.Empty:
                with self._lock:  # submit() puts under this lock: an empty queue here stays empty
                    if self._jobs.empty():
                        self._thread = None
                        return
                continue
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(call())
                except BaseException as exc:  # handed to the caller, who waits on the future
                    future.set_exception(exc)
