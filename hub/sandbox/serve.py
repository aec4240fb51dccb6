"""Run the sandbox as a server until SIGINT or SIGTERM, under the hub's supervisor like every
long-running verb: the order generator is a part, and the stop takes a line."""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path

import uvicorn

from hub.sandbox.app import Sandbox
from hub.supervisor import Part, Server, supervise

log = logging.getLogger("hub.sandbox")


def run_sandbox(
    project: Path,
    *,
    host: str,
    port: int,
    webhook_url: str | None,
    sqs_queue_url: str | None,
    sqs_endpoint: str | None,
    orders: int,
    every_s: float,
) -> int:
    """Serve until SIGINT or SIGTERM; return the exit code."""
    sandbox = Sandbox(
        project, webhook_url=webhook_url, sqs_queue_url=sqs_queue_url, sqs_endpoint=sqs_endpoint
    )
    for marketplace in sandbox.specs:
        sandbox.seed(marketplace, orders, spread_s=6 * 3600)
    if orders > 0:  # a sandbox with orders at start holds the samples' too (tests start empty)
        sandbox.hold_sample_orders()
    parts = [Part("generator", partial(sandbox.generate, every_s))] if every_s > 0 else []
    log.info(
        "sandbox on http://%s:%d: %s, %d order(s) each%s%s",
        host,
        port,
        ", ".join(sorted(sandbox.specs)),
        orders,
        f", new orders every {every_s:g} s" if every_s > 0 else "",
        f", webhooks to {webhook_url}" if webhook_url else "",
    )
    # Requests in flight get a second once it is told to stop: it answers test traffic, nothing long.
    config = uvicorn.Config(
        sandbox.app(), host=host, port=port, log_config=None, access_log=False, timeout_graceful_shutdown=1
    )
    try:
        return supervise("hub sandbox", parts, server=Server(config), loop_factory=config.get_loop_factory())
    finally:
        sandbox.close()  # the webhook sender: what it still holds is dropped, as a stopped marketplace would
