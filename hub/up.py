"""`hub up` and `hub receiver`: the receiver, plus for `up` the relay and every consumer group."""

from __future__ import annotations

import contextlib
import gc
import logging
import signal
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import uvicorn
from fastapi import FastAPI

from hub import logs
from hub.config import Settings, parse_duration
from hub.consumers.registry import groups
from hub.consumers.runner import GroupRunner
from hub.intake.committer import GroupCommitter
from hub.intake.service import IntakeService
from hub.intake.sqs import SqsPoller
from hub.intake.sqs_config import SqsOff, make_client
from hub.project import Project
from hub.pull.enrich import FetchWorker
from hub.pull.scheduler import pull_loop, pulling
from hub.pull.service import PullService
from hub.receiver.app import create_app
from hub.receiver.endpoints import build_endpoints
from hub.relay.service import RelayService
from hub.store import Store
from hub.wiring import connector_secrets, load_project, open_broker, open_store, sqs_intakes

log = logging.getLogger("hub.up")

# CPython's default is 5 ms. The commit thread gives up the GIL around every SQLite call (each row a
# statement returns or inserts included) and, while the event loop is busy, waits up to the switch
# interval to get it back: at 5 ms that stretches a group commit by up to 5 ms per call.
SWITCH_INTERVAL_S = 0.0005
# CPython's default is 700. Requests allocate and free thousands of objects by reference counting; at
# 700 net allocations a young collection ran every few requests, each scanning the in-flight batch.
GC_YOUNG_THRESHOLD = 10_000


class _Server(uvicorn.Server):
    """uvicorn's graceful stop on SIGINT/SIGTERM, minus its re-raising of the signal afterwards: that
    would end the process before the relay and consumers below are stopped."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


@dataclass
class Workers:
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    def spawn(self, name: str, target: object, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)  # type: ignore[arg-type]
        thread.start()
        self.threads.append(thread)

    def shutdown(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=15)


def server_config(app: FastAPI, *, host: str, port: int) -> uvicorn.Config:
    """The receiver's uvicorn settings, in one place so bench/ can run a bare app under the same ones."""
    return uvicorn.Config(app, host=host, port=port, log_config=None, lifespan="on")


def tune_runtime() -> None:
    """Interpreter settings for a server process, once start-up has built everything it keeps (project,
    mappings, schemas, SQLAlchemy metadata). Measured with bench/receiver.py; the bare app there uses
    them too."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    # The start-up heap lives as long as the process: frozen, full collections no longer walk it (they
    # took ~100 ms each, straight into the p99).
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])


def _start_pulls(
    workers: Workers, project: Project, store: Store, settings: Settings, service: IntakeService
) -> None:
    """Scheduled pull streams (one thread per connector) and the enrichment fetch worker."""
    pulls = PullService(project, store, settings.environ, intake=service)
    every = parse_duration(settings.environ.get("HUB_PULL_EVERY") or "5m").total_seconds()
    for connector, accounts in pulling(pulls).items():
        log.info("pull %s: account(s) %s, every %g s", connector, ", ".join(accounts), every)
        workers.spawn(f"pull-{connector}", pull_loop, pulls, connector, every, workers.stop)
    if project.enrichable:  # some connector has an API account to fetch thin notifications with
        workers.spawn("fetch", FetchWorker(service, settings.environ).run, workers.stop)


def serve(settings: Settings, *, host: str, port: int, with_workers: bool) -> None:
    # Everything that can be wrong with the configuration fails here, before the port opens.
    project = load_project(settings)
    secrets = connector_secrets(project, settings)
    logs.configure(
        secrets=[s.reveal() for by_name in secrets.values() for vs in by_name.values() for s in vs]
    )
    queues = sqs_intakes(project, settings, secrets) if with_workers else []
    store = open_store(settings)
    store.checkpoint_in_background()
    wakeup = store.wakeup()
    service = IntakeService(project, store, on_commit=wakeup.notify)
    committer = GroupCommitter(service)
    app = create_app(build_endpoints(project, secrets), committer)

    workers = Workers()
    if with_workers:
        broker = open_broker(settings)
        workers.spawn("relay", RelayService(store, broker, settings).run, workers.stop, wakeup)
        for spec in groups().values():
            workers.spawn(f"consumer-{spec.name}", GroupRunner(store, broker, spec).run, workers.stop)
        for queue in queues:
            if isinstance(queue, SqsOff):
                log.info("sqs %s: intake off (%s)", queue.connector, queue.reason)
                continue
            poller = SqsPoller(queue, make_client(queue), project.connector(queue.connector), service)
            workers.spawn(f"sqs-{queue.connector}", poller.run, workers.stop)
        _start_pulls(workers, project, store, settings, service)
        log.info(
            "hub up: store %s, broker %s, %d consumer group(s), %d SQS poller(s)",
            store.describe(),
            settings.broker_url,
            len(groups()),
            sum(not isinstance(q, SqsOff) for q in queues),
        )
    server = _Server(server_config(app, host=host, port=port))
    tune_runtime()
    try:
        server.run()  # returns on Ctrl-C or SIGTERM, after in-flight requests are answered
    finally:
        workers.shutdown()
        wakeup.close()
        store.dispose()
        log.info("hub stopped")
