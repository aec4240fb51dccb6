"""How an idle relay learns there are new outbox rows: a signal from this process, or a poll interval."""

from __future__ import annotations

import threading


class Wakeup:
    def __init__(self, poll_s: float = 0.1) -> None:
        self.poll_s = poll_s
        self._event = threading.Event()

    def notify(self) -> None:
        self._event.set()

    def wait(self, timeout_s: float) -> None:
        # Other processes cannot signal us, so never sleep longer than the poll interval.
        self._event.wait(min(timeout_s, self.poll_s))
        self._event.clear()

    def close(self) -> None:
        """Nothing to release here; a waker with a connection of its own closes it."""
