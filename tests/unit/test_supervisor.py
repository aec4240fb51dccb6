"""hub.supervisor: what every long-running verb does with SIGINT and SIGTERM."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from textwrap import dedent

import pytest

from hub.supervisor import Part, supervise


def signal_soon(sig: int, after_s: float = 0.3) -> None:
    threading.Timer(after_s, os.kill, (os.getpid(), sig)).start()


def waits(stop: threading.Event) -> None:
    stop.wait()


def test_parts_stop_on_sigterm_and_say_so(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="hub")
    signal_soon(signal.SIGTERM)
    parts = [Part("a", waits, "left group a"), Part("b", waits, "handed back b")]
    assert supervise("hub test", parts) == 0
    (line,) = [r.getMessage() for r in caplog.records if "stopped" in r.getMessage()]
    assert line.startswith("hub test: stopped on SIGTERM in ")
    assert line.endswith("; left group a; handed back b")


def test_sigint_stops_even_when_it_was_ignored(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="hub")
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # as in a background job of a script
    try:
        signal_soon(signal.SIGINT)
        assert supervise("hub test", [Part("a", waits)]) == 0
    finally:
        signal.signal(signal.SIGINT, previous)
    assert any("stopped on SIGINT" in r.getMessage() for r in caplog.records)


def test_a_part_that_does_not_stop_is_abandoned_after_the_grace(caplog: pytest.LogCaptureFixture) -> None:
    stuck = threading.Event()  # never set: the part ignores `stop`
    signal_soon(signal.SIGTERM)
    began = time.monotonic()
    assert (
        supervise("hub test", [Part("stuck", lambda _: stuck.wait(30)), Part("a", waits)], grace_s=0.5) == 0
    )
    assert time.monotonic() - began < 3
    assert any("stuck did not stop within" in r.getMessage() for r in caplog.records)


def test_a_failing_part_stops_the_others_and_the_exit_code_says_so(caplog: pytest.LogCaptureFixture) -> None:
    def fails(_: threading.Event) -> None:
        raise RuntimeError("boom")

    assert supervise("hub test", [Part("a", waits), Part("bad", fails)]) == 1
    assert any("bad failed: RuntimeError: boom" in r.getMessage() for r in caplog.records)


def test_a_second_signal_stops_at_once() -> None:
    script = dedent(
        """
        import threading, sys
        from hub import logs
        from hub.supervisor import Part, supervise
        logs.configure()
        sys.exit(supervise("hub test", [Part("stuck", lambda _: threading.Event().wait(60))], grace_s=60))
        """
    )
    process = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    seen = []
    while "running; stop with" not in "".join(seen):  # the handlers are installed
        seen.append(process.stderr.readline())
    process.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    began = time.monotonic()
    process.send_signal(signal.SIGTERM)
    assert process.wait(10) == 128 + signal.SIGTERM
    assert time.monotonic() - began < 2
    assert "second SIGTERM, stopping now" in process.stderr.read()
