"""`hub up` and `hub receiver`: the receiver, plus for `up` the relay and every consumer group."""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import Callable, Mapping, Sequence
from functools import partial

import uvicorn
from fastapi import FastAPI

from hub import gc_settings, logs, tracing
from hub.broker.port import Broker
from hub.commerce.checkout.settings import CheckoutSettings
from hub.commerce.workers import commerce_workers
from hub.config import Settings, parse_duration
from hub.consumers.discovery import groups
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
from hub.receiver.checkout import CheckoutEndpoint
from hub.receiver.endpoints import WebhookEndpoint, build_endpoints
from hub.receiver.metrics_route import add_metrics
from hub.relay.service import RelayService
from hub.reload import LiveEndpoints, Reloader, version_of
from hub.status import Status, snapshot
from hub.store.probe import StoreHealth, StoreProbe
from hub.supervisor import Part, Server, supervise
from hub.ui import start_beside_hub
from hub.wiring import connector_secrets, for_environment, load_project, open_broker, open_store, sqs_intakes

log = logging.getLogger("hub.up")

# CPython's default is 5 ms. The commit thread gives up the GIL around every SQLite call (each row a
# statement returns or inserts included) and, while the event loop is busy, waits up to the switch
# interval to get it back: at 5 ms that stretches a group commit by up to 5 ms per call.
SWITCH_INTERVAL_S = 0.0005


def _scrub(secrets: list[str]) -> None:
    logs.configure(secrets=secrets)


def server_config(app: FastAPI, *, host: str, port: int) -> uvicorn.Config:
    """The receiver's uvicorn settings, in one place so bench/ can run a bare app under the same ones."""
    # In-flight requests get a bounded time to be answered once the hub is told to stop.
    return uvicorn.Config(
        app, host=host, port=port, log_config=None, lifespan="on", timeout_graceful_shutdown=2
    )


def receiver_app(
    endpoints: Mapping[str, WebhookEndpoint],
    committer: GroupCommitter,
    figures: Callable[[], Status] | None,
    ready: Callable[[], StoreHealth] | None = None,
    checkout: CheckoutEndpoint | None = None,
) -> FastAPI:
    """The receiver as served: the webhook endpoints, /healthz and /readyz, /metrics (the counters and,
    when given, the figures); create_app counts every webhook request."""
    app = create_app(endpoints, committer, ready=ready, checkout=checkout)
    add_metrics(app, figures)
    return app


def tune_runtime() -> None:
    """Interpreter settings for a server process, once start-up has built everything it keeps (project,
    mappings, schemas, SQLAlchemy metadata). Measured with bench/receiver.py; the bare app there uses
    them too."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    # The start-up heap lives as long as the process: frozen, full collections no longer walk it (they
    # took ~100 ms each, straight into the p99).
    gc.collect()
    gc.freeze()
    gc_settings.for_long_running()  # as supervise() does: bench/bare_app.py runs without supervise()


def pull_parts(service: IntakeService, settings: Settings) -> list[Part]:
    """Scheduled pull streams (one part per connector, so one marketplace's rate waits never hold
    another's pulls) and the enrichment fetch worker."""
    pulls = PullService(service.project, service.store, settings.environ, intake=service)
    every = parse_duration(settings.environ.get("HUB_PULL_EVERY") or "5m").total_seconds()
    parts = []
    for connector, accounts in pulling(pulls).items():
        log.info("pull %s: account(s) %s, every %g s", connector, ", ".join(accounts), every)
        parts.append(Part(f"pull-{connector}", partial(pull_loop, pulls, connector, every)))
    if service.project.enrichable:  # some connector has an API account to fetch thin notifications with
        parts.append(Part("fetch", FetchWorker(service, settings.environ).run))
    return parts


def serve(
    settings: Settings,
    *,
    host: str,
    port: int,
    with_workers: bool,
    ui: tuple[str, int] | None = None,
    beside: Sequence[Part] = (),
    loaded: Project | None = None,
) -> int:
    """Run until SIGINT or SIGTERM; return the exit code. `beside`: more parts to supervise with the hub's
    own (`hub up --sandbox`'s sandbox). `loaded`: the project of `settings`, when the caller has loaded it
    already (loading compiles every mapping)."""
    # Everything that can be wrong with the configuration fails here, before the port opens.
    project = load_project(settings) if loaded is None else for_environment(loaded, settings)
    secrets = connector_secrets(project, settings)
    specs = groups() if with_workers else {}
    for spec in specs.values():
        spec.prepare()  # a sink's missing secret stops start-up too, naming its variable
    logs.configure(
        secrets=[s.reveal() for by_name in secrets.values() for vs in by_name.values() for s in vs]
    )
    tracing.configure("hub")
    queues = sqs_intakes(project, settings, secrets) if with_workers else []
    store = open_store(settings)
    store.checkpoint_in_background()
    wakeup = store.wakeup()
    service = IntakeService(project, store, on_commit=wakeup.notify)
    committer = GroupCommitter(service)
    endpoints = LiveEndpoints(build_endpoints(project, secrets))
    checkout = CheckoutEndpoint(store, project.inventory, CheckoutSettings.from_env(settings.environ))
    # The figures' own broker client: a scrape never waits behind the relay's publish.
    status_broker = open_broker(settings) if with_workers else None
    figures = lambda: snapshot(store, status_broker, list(specs.values()))  # noqa: E731
    app = receiver_app(endpoints, committer, figures, ready=StoreProbe(store).check, checkout=checkout)
    version = version_of(settings.project)
    reloader = Reloader(settings, service, endpoints, version, on_secrets=_scrub)
    log.info(
        "project %s: version %s live; edits go live once they pass lint (or on SIGHUP)",
        settings.project,
        version,
    )

    parts: list[Part] = [Part("reload", reloader.watch), *beside]
    broker: Broker | None = None
    if with_workers:
        broker = open_broker(settings)
        relay = RelayService(store, broker, settings)
        parts.append(Part("relay", lambda stop: relay.run(stop, wakeup), "relay handed back its leases"))
        for spec in specs.values():
            runner = GroupRunner(store, broker, spec)
            parts.append(Part(f"consumer-{spec.name}", runner.run, f"left consumer group {spec.name}"))
        for name, run in commerce_workers(store, broker, project, settings.environ):
            parts.append(Part(name, run))
        for queue in queues:
            if isinstance(queue, SqsOff):
                log.info("sqs %s: intake off (%s)", queue.connector, queue.reason)
                continue
            poller = SqsPoller(queue, make_client(queue), project.connector(queue.connector), service)
            parts.append(Part(f"sqs-{queue.connector}", poller.run))
        parts += pull_parts(service, settings)
        log.info(
            "hub up: store %s, broker %s, %d consumer group(s), %d SQS poller(s)",
            store.describe(),
            settings.broker_url,
            len(specs),
            sum(not isinstance(q, SqsOff) for q in queues),
        )
    config = server_config(app, host=host, port=port)
    dagster = start_beside_hub(settings, host=ui[0], port=ui[1]) if ui is not None else None
    tune_runtime()
    try:
        return supervise(
            "hub up" if with_workers else "hub receiver",
            parts,
            server=Server(config),
            on_reload=lambda: reloader.reload("SIGHUP"),
            loop_factory=config.get_loop_factory(),
        )
    finally:
        if dagster is not None:
            dagster.stop()
        if broker is not None:
            broker.close()
        if status_broker is not None:
            status_broker.close()
        wakeup.close()
        store.dispose()
