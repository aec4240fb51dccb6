"""Verbs that run the hub: up, receiver, relay, consume."""

from __future__ import annotations

import sys

import click

from hub import logs, tracing
from hub.cli.common import friendly_errors, parse_time, settings
from hub.consumers import replay
from hub.consumers.discovery import group
from hub.consumers.runner import GroupRunner, may_reapply
from hub.relay.service import RelayService
from hub.supervisor import Part, supervise
from hub.wiring import open_broker, open_store


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port",
    default=8080,
    show_default=True,
    type=int,
    envvar="HUB_PORT",
    help="Receiver port (or HUB_PORT).",
)
@click.option(
    "--ui-port",
    default=3000,
    show_default=True,
    type=int,
    envvar="HUB_UI_PORT",
    help="Port of the Dagster UI (or HUB_UI_PORT).",
)
@click.option(
    "--ui-host",
    default="127.0.0.1",
    show_default=True,
    help="Interface of the Dagster UI, which has no login of its own: put one in front before widening it.",
)
@click.option("--no-ui", is_flag=True, envvar="HUB_NO_UI", help="Leave the Dagster webserver and daemon out.")
@click.option(
    "--sandbox",
    "with_sandbox",
    is_flag=True,
    help="Start the marketplace sandbox beside the hub and point every connector without real "
    "credentials in the environment at it.",
)
@click.option(
    "--sandbox-port",
    default=8090,
    show_default=True,
    type=int,
    envvar="HUB_SANDBOX_PORT",
    help="Port of the sandbox (or HUB_SANDBOX_PORT).",
)
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
    host: str,
    port: int,
    ui_port: int,
    ui_host: str,
    no_ui: bool,
    with_sandbox: bool,
    sandbox_port: int,
    sandbox_orders: int,
    sandbox_every: float,
) -> None:
    """Run the receiver, the relay, every consumer group, the scheduled pulls and the Dagster UI
    (webserver and daemon, on --ui-port); stop with Ctrl-C or SIGTERM."""
    ui = None if no_ui else (ui_host, ui_port)
    if with_sandbox:
        from hub.sandbox.launch import up_with_sandbox

        logs.configure()
        sys.exit(
            up_with_sandbox(
                settings(),
                host=host,
                port=port,
                ui=ui,
                sandbox_port=sandbox_port,
                orders=sandbox_orders,
                every_s=sandbox_every,
            )
        )
    from hub.up import serve

    sys.exit(serve(settings(), host=host, port=port, with_workers=True, ui=ui))


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int, envvar="HUB_PORT")
@friendly_errors
def receiver(host: str, port: int) -> None:
    """Run only the webhook receiver (stateless: run many behind a load balancer)."""
    from hub.up import serve

    sys.exit(serve(settings(), host=host, port=port, with_workers=False))


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
    tracing.configure("hub relay")
    config = settings()
    store = open_store(config)
    service = RelayService(store, open_broker(config), config, batch_size=batch_size)
    if once:
        click.echo(f"published {service.drain()} event(s)")
        return
    wakeup = store.wakeup()
    try:
        part = Part("relay", lambda stop: service.run(stop, wakeup), "handed back its shard leases")
        code = supervise("hub relay", [part])
    finally:
        wakeup.close()
        store.dispose()
    sys.exit(code)


@click.command()
@click.argument("group_name", metavar="GROUP")
@click.option("--once", is_flag=True, help="Apply what is in the log now, then exit.")
@click.option(
    "--rewind",
    metavar="start|TIME",
    help="First move the group's offsets to the start of the log, or to the first event at or after TIME "
    "(ISO 8601 or an age like 2h). Events the group already applied are skipped, not applied again. "
    "Stop the group's running members first.",
)
@click.option(
    "--reapply",
    is_flag=True,
    help="With --rewind: apply again the events the group already applied (to rebuild a view). Only for "
    "groups that declare reapply=True.",
)
@friendly_errors
def consume(group_name: str, once: bool, rewind: str | None, reapply: bool) -> None:
    """Run consumer group GROUP: each event applied once, offsets committed after; an event that fails
    past the group's retry policy becomes a dead letter (`hub dlq ls`)."""
    logs.configure()
    tracing.configure(f"hub consume {group_name}")
    config = settings()
    spec = group(group_name)
    if reapply and rewind is None:
        raise click.UsageError("--reapply needs --rewind: only a rewound group reads events it applied")
    if reapply:
        may_reapply(spec)
    to = None if rewind in (None, "start") else parse_time(rewind)
    broker = open_broker(config)
    store = open_store(config)
    if rewind is not None:
        behind = replay.rewind(store, broker, spec, to)
        again = "; applying every event again" if reapply else ""
        click.echo(
            f"{group_name}: rewound to {rewind}; {behind} record(s) to replay, marked as replays{again}"
        )
    runner = GroupRunner(store, broker, spec, reapply=reapply)
    if once:
        try:
            runner.drain()
            click.echo(f"{group_name}: {runner.tally}")
        finally:
            runner.close()  # leaves the group at once: a rewind or a new member need not wait for it
            broker.close()
            store.dispose()
        return
    try:
        part = Part(f"consumer-{group_name}", runner.run, f"left consumer group {group_name}")
        code = supervise(f"hub consume {group_name}", [part])
    finally:
        broker.close()
        store.dispose()
    sys.exit(code)


COMMANDS = [up, receiver, relay, consume]
