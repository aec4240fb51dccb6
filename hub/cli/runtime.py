"""Verbs that run the hub: up, receiver, relay, consume, groups."""

from __future__ import annotations

import signal
import threading

import click

from hub import logs
from hub.cli.common import friendly_errors, parse_time, settings
from hub.consumers.registry import group, groups
from hub.consumers.runner import GroupRunner
from hub.relay.service import RelayService
from hub.wiring import open_broker, open_store


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8080, show_default=True, type=int, help="Port of the webhook receiver.")
@click.option("--ui-port", default=3000, show_default=True, type=int, help="Port of the Dagster UI.")
@click.option(
    "--ui-host",
    default="127.0.0.1",
    show_default=True,
    help="Interface of the Dagster UI, which has no login of its own: put one in front before widening it.",
)
@click.option("--no-ui", is_flag=True, envvar="HUB_NO_UI", help="Leave the Dagster webserver and daemon out.")
@friendly_errors
def up(host: str, port: int, ui_port: int, ui_host: str, no_ui: bool) -> None:
    """Run the receiver, the relay, every consumer group and the Dagster UI (webserver and daemon, on
    --ui-port); stop with Ctrl-C or SIGTERM."""
    from hub.up import serve

    ui = None if no_ui else (ui_host, ui_port)
    serve(settings(), host=host, port=port, with_workers=True, ui=ui)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@friendly_errors
def receiver(host: str, port: int) -> None:
    """Run only the webhook receiver (stateless: run many behind a load balancer)."""
    from hub.up import serve

    serve(settings(), host=host, port=port, with_workers=False)


@click.command()
@click.option("--once", is_flag=True, help="Publish what is pending now, then exit.")
@click.option("--batch-size", default=1000, show_default=True, type=int)
@friendly_errors
def relay(once: bool, batch_size: int) -> None:
    """Publish committed outbox events to the broker, in order per key, at least once.

    Run as many as you like: they share the outbox's 64 shards through leases in the store. Published
    rows older than HUB_RETENTION are cleaned up every HUB_CLEANUP_EVERY.
    """
    logs.configure()
    config = settings()
    store = open_store(config)
    service = RelayService(store, open_broker(config), config, batch_size=batch_size)
    if once:
        click.echo(f"published {service.drain()} event(s)")
        return
    stop = threading.Event()
    # SIGTERM (a service manager's stop) ends the loop like Ctrl-C, so the leases are handed back.
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    wakeup = store.wakeup()
    try:
        service.run(stop, wakeup)
    except KeyboardInterrupt:
        stop.set()
    finally:
        wakeup.close()


@click.command()
@click.argument("group_name", metavar="GROUP")
@click.option("--once", is_flag=True, help="Apply what is in the log now, then exit.")
@click.option(
    "--rewind",
    metavar="start|TIME",
    help="First move the group's offsets to the start of the log, or to the first event at or after TIME "
    "(ISO 8601 or an age like 2h). Events the group already applied are skipped, not applied again.",
)
@friendly_errors
def consume(group_name: str, once: bool, rewind: str | None) -> None:
    """Run the handler registered for GROUP: each event applied once, offsets committed after."""
    logs.configure()
    config = settings()
    spec = group(group_name)
    broker = open_broker(config)
    if rewind is not None:
        broker.reset_group(spec.name, spec.topics, to=None if rewind == "start" else parse_time(rewind))
        click.echo(f"{group_name}: rewound to {rewind}")
    runner = GroupRunner(open_store(config), broker, spec)
    if once:
        click.echo(f"{group_name}: read {runner.drain()} record(s)")
        return
    stop = threading.Event()
    try:
        runner.run(stop)
    except KeyboardInterrupt:
        stop.set()


@click.command(name="groups")
def list_groups() -> None:
    """List the registered consumer groups and the topics they read."""
    for spec in groups().values():
        click.echo(f"{spec.name:<20} {','.join(spec.topics):<28} {spec.description}")


COMMANDS = [up, receiver, relay, consume, list_groups]
