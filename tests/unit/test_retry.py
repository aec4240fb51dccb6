"""The hub's one backoff: a worker's step is retried after each failure with a jittered, growing wait,
and a stop request ends the wait at once."""

from __future__ import annotations

import threading
import time

import pytest

from hub import retry
from hub.retry import retry_until


class Flaky:
    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls: list[float] = []

    def __call__(self) -> str:
        self.calls.append(time.monotonic())
        if len(self.calls) <= self.failures:
            raise ConnectionError(f"away ({len(self.calls)})")
        return "done"


def test_a_failing_step_is_retried_until_it_succeeds_with_waits_within_the_growing_bound(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(retry, "FIRST_S", 0.05)
    step = Flaky(failures=4)
    assert retry_until(step, threading.Event(), "test worker") == "done"
    assert len(step.calls) == 5
    waits = [later - earlier for earlier, later in zip(step.calls, step.calls[1:], strict=False)]
    bounds = [0.05 * 2**n for n in range(4)]
    assert all(
        wait <= bound + 0.5 for wait, bound in zip(waits, bounds, strict=True)
    )  # slack: a busy machine
    failures = [r.getMessage() for r in caplog.records if r.name == "hub.retry"]
    assert len(failures) == 4 and failures[0].startswith("test worker: away (1); retrying in")


def test_a_stop_request_ends_the_wait_and_no_further_attempt_is_made(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retry, "FIRST_S", 60.0)  # a wait that would outlast the test
    stop = threading.Event()
    step = Flaky(failures=100)
    threading.Timer(0.3, stop.set).start()
    began = time.monotonic()
    assert retry_until(step, stop, "stopping worker") is None
    assert time.monotonic() - began < 10
    assert len(step.calls) <= 2  # the first, and one more only if the random first wait was under 0.3 s
