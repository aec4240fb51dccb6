"""`hub sandbox`: the marketplaces' APIs emulated on loopback."""

from __future__ import annotations

import sys

import click

from hub import logs
from hub.cli.common import friendly_errors, settings


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8090, show_default=True, type=int)
@click.option(
    "--webhook-url", help="The hub's receiver (e.g. http://127.0.0.1:8080): signed webhooks go there."
)
@click.option("--sqs-queue-url", help="An SQS-compatible queue that receives Amazon notifications.")
@click.option("--sqs-endpoint", help="The SQS-compatible server of that queue.")
@click.option(
    "--orders",
    default=25,
    show_default=True,
    type=int,
    help="Orders per marketplace at start; with any, also the orders the connectors' samples name.",
)
@click.option(
    "--every",
    "every_s",
    default=10.0,
    show_default=True,
    type=float,
    help="Seconds between generated orders and status changes; 0: none.",
)
@friendly_errors
def sandbox(
    host: str,
    port: int,
    webhook_url: str | None,
    sqs_queue_url: str | None,
    sqs_endpoint: str | None,
    orders: int,
    every_s: float,
) -> None:
    """Serve Amazon SP-API, Walmart Marketplace and TikTok Shop emulations (and a payment provider).

    Their credentials, rate limits and the settings that point a connector at them are in
    connectors/<name>/sandbox.yaml; `hub up --sandbox` starts this beside the hub. Admin API:
    /_sandbox/...; stop with Ctrl-C or SIGTERM.
    """
    logs.configure()
    from hub.sandbox.serve import run_sandbox

    sys.exit(
        run_sandbox(
            settings().project,
            host=host,
            port=port,
            webhook_url=webhook_url,
            sqs_queue_url=sqs_queue_url,
            sqs_endpoint=sqs_endpoint,
            orders=orders,
            every_s=every_s,
        )
    )


COMMANDS = [sandbox]
