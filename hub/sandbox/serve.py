"""Run the sandbox as a server until SIGINT or SIGTERM."""

from __future__ import annotations

import logging
from pathlib import Path

import uvicorn

from hub.sandbox.app import Sandbox
from hub.up import _Server as GracefulServer

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
) -> None:
    sandbox = Sandbox(
        project, webhook_url=webhook_url, sqs_queue_url=sqs_queue_url, sqs_endpoint=sqs_endpoint
    )
    for marketplace in sandbox.specs:
        sandbox.seed(marketplace, orders, spread_s=6 * 3600)
    if every_s > 0:
        sandbox.start_generator(every_s)
    log.info(
        "sandbox on http://%s:%d: %s, %d order(s) each%s%s",
        host,
        port,
        ", ".join(sorted(sandbox.specs)),
        orders,
        f", new orders every {every_s:g} s" if every_s > 0 else "",
        f", webhooks to {webhook_url}" if webhook_url else "",
    )
    # SIGINT and SIGTERM stop it gracefully (the hub's own server class: uvicorn's would re-raise the signal
    # and end the process with it); then the generator and the webhook sender stop.
    config = uvicorn.Config(sandbox.app(), host=host, port=port, log_config=None, access_log=False)
    try:
        GracefulServer(config).run()
    finally:
        sandbox.close()
        log.info("sandbox stopped")
