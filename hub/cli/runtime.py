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
@click.option(
    "--sandbox",
    "with_sandbox",
    is_flag=True,
    help="Start the marketplace sandbox beside the hub and point every connector without real "
    "credentials in the environment at it.",
)
@click.option("--sandbox-port", default=8090, show_default=True, type=int)
@click.option(
    "--sandbox-orders", default=20, show_default=True, type=int, help="Orders per marketplace at start."
)
@click.option(
    "--sandbox-every",
    default=10.0,
    show_default=True,
    type=float,
    help="Seconds between the sandbox's new orders and status changes.",
)
@friendly_errors
def up(
    host: str, port: int, with_sandbox: bool, sandbox_port: int, sandbox_orders: int, sandbox_every: float
) -> None:
    """Run the receiver, the relay, every consumer group and the scheduled pulls; stop with Ctrl-C or
    SIGTERM."""
    if with_sandbox:
        from hub.sandbox.launch import up_with_sandbox

        logs.configure()
        up_with_sandbox(
            settings(),
            host=host,
            port=port,
            sandbox_port=sandbox_port,
            orders=sandbox_orders,
            every_s=sandbox_every,
        )
        return
    from hub.up import serve

    serve(settings(), host=host, port=port, with_workers=True)


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
