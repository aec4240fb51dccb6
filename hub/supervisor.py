"""Run a long-running verb until SIGINT or SIGTERM, then stop its parts and say so in one line.

Every long-running verb (`up`, `receiver`, `relay`, `consume`, `sqs`, `cleanup`) runs through
`supervise`: an anyio task group that owns the signal receiver, the receiver's uvicorn server (when
there is one) and one thread per part. The handlers are installed explicitly, so a verb started as a
background job of a script, where SIGINT arrives ignored (SIG_IGN), still stops on it.

On the first signal every part is asked to stop (the shared `stop` event; uvicorn's `should_exit`)
and gets `grace_s` to finish what it holds: a consumer group leaves its group, a relay hands its
shard leases back. A part still busy then (an SQS long poll, a stuck database call) is abandoned on
its daemon thread: nothing it held is lost, since its transaction was not committed and its messages
or records are delivered again. A second signal stops at once.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

import anyio
import anyio.abc
import anyio.from_thread
import anyio.lowlevel
import anyio.to_thread
import uvicorn

from hub import gc_settings

log = logging.getLogger("hub")

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
# What a part may take to finish after the stop signal: a poll ends within a second, a Kafka member's
# LeaveGroup within another. Well inside the 5 s a service manager is promised.
GRACE_S = 3.0


@dataclass(frozen=True)
class Part:
    """A thread of a long-running verb: `run(stop)` returns once `stop` is set."""

    name: str
    run: Callable[[threading.Event], None]
    farewell: str = ""  # what stopping it did, e.g. "left consumer group audit"


class Server(uvicorn.Server):
    """uvicorn without its own signal handling: the supervisor installs the handlers and tells the server
    to exit (uvicorn's would also re-raise the signal once it has shut down)."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@dataclass
class _Run:
    verb: str
    parts: list[Part]
    server: Server | None
    on_reload: Callable[[], object] | None
    grace_s: float
    stop: threading.Event = field(default_factory=threading.Event)
    signal_name: str | None = None
    stopping_since: float | None = None
    stopped: list[Part] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    scope: anyio.CancelScope | None = None
    outer: anyio.abc.TaskGroup | None = None
    serving: bool = False

    def settled(self) -> bool:
        parts = len(self.stopped) + len({f for f in self.failed if f != "receiver"})
        return parts == len(self.parts) and not self.serving

    async def main(self) -> None:
        wanted = (*STOP_SIGNALS, signal.SIGHUP) if self.on_reload else STOP_SIGNALS
        async with anyio.create_task_group() as outer:
            self.outer = outer
            with anyio.open_signal_receiver(*wanted) as signals:
                log.info("%s: running; stop with Ctrl-C or SIGTERM", self.verb)
                outer.start_soon(self.watch, signals)
                async with anyio.create_task_group() as inner:
                    self.scope = inner.cancel_scope  # cancelled once the grace period is over
                    for part in self.parts:
                        inner.start_soon(self.run_part, part)
                    if self.server is not None:
                        inner.start_soon(self.serve, self.server)
                outer.cancel_scope.cancel()

    async def watch(self, signals: AsyncIterator[signal.Signals]) -> None:
        async for signum in signals:
            if signum == signal.SIGHUP and self.on_reload is not None:
                await anyio.to_thread.run_sync(self.on_reload)
                continue
            if self.signal_name is not None:
                log.warning("%s: second %s, stopping now", self.verb, signum.name)
                logging.shutdown()
                os._exit(128 + signum)
            self.signal_name = signum.name
            log.info("%s: %s received, stopping (send it again to stop at once)", self.verb, signum.name)
            self.request_stop()

    def request_stop(self) -> None:
        """Ask every part to stop, and give them the grace period (once) before abandoning them."""
        self.stop.set()
        if self.server is not None:
            self.server.should_exit = True
        if self.stopping_since is None and self.outer is not None:
            self.stopping_since = time.monotonic()
            self.outer.start_soon(self.expire)

    async def expire(self) -> None:
        with anyio.move_on_after(self.grace_s):
            while not self.settled():
                await anyio.sleep(0.05)
        assert self.scope is not None
        self.scope.cancel()

    async def run_part(self, part: Part) -> None:
        finished = anyio.Event()
        token = anyio.lowlevel.current_token()
        errors: list[BaseException] = []

        def target() -> None:
            try:
                part.run(self.stop)
            except BaseException as exc:  # reported below, on the event loop
                errors.append(exc)
            finally:
                with suppress(RuntimeError):  # the loop is gone: nobody waits for this part any more
                    anyio.from_thread.run_sync(finished.set, token=token)

        # A daemon thread, not one of anyio's workers: a part that is abandoned must not hold the exit.
        threading.Thread(target=target, name=part.name, daemon=True).start()
        try:
            await finished.wait()
        except anyio.get_cancelled_exc_class():
            log.warning(
                "%s did not stop within %.0f s; abandoned, nothing it held is lost", part.name, self.grace_s
            )
            raise
        self.request_stop()  # one part ending ends the verb: it is not whole without it
        if errors:
            exc = errors[0]
            log.error("%s failed: %s: %s", part.name, type(exc).__name__, exc, exc_info=exc)
            self.failed.append(part.name)
        else:
            self.stopped.append(part)

    async def serve(self, server: Server) -> None:
        self.serving = True
        try:
            await server.serve()
        except SystemExit:  # uvicorn's answer to a port it cannot bind, after logging why
            self.failed.append("receiver")
        finally:
            self.serving = False
            self.request_stop()


def supervise(
    verb: str,
    parts: Sequence[Part],
    *,
    server: Server | None = None,
    on_reload: Callable[[], object] | None = None,
    grace_s: float = GRACE_S,
    loop_factory: Callable[[], Any] | None = None,
) -> int:
    """Run `parts` (and `server`) until a stop signal or until one of them ends. Returns the exit code:
    0 once stopped, 1 when a part failed. SIGHUP calls `on_reload` when one is given."""
    gc_settings.for_long_running()
    run = _Run(verb, list(parts), server, on_reload, grace_s)
    options = {"loop_factory": loop_factory} if loop_factory is not None else {}
    anyio.run(run.main, backend_options=options)
    why = f"on {run.signal_name}" if run.signal_name else "after a failure" if run.failed else ""
    took = f" in {time.monotonic() - run.stopping_since:.1f} s" if run.stopping_since else ""
    farewells = "".join(f"; {p.farewell}" for p in run.parts if p in run.stopped and p.farewell)
    log.info("%s: stopped%s%s%s", run.verb, f" {why}" if why else "", took, farewells)
    return 1 if run.failed else 0
