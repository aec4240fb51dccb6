"""GET /metrics: the Prometheus text format of the process's counters and the hub's figures."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from hub import metrics
from hub.status import Status


def add_metrics(app: FastAPI, snapshot: Callable[[], Status] | None) -> None:
    registry = metrics.registry(snapshot)

    @app.get("/metrics")
    async def serve_metrics() -> Response:
        # The figures come from the store and the broker: read off the event loop.
        body = await asyncio.to_thread(generate_latest, registry)
        return Response(body, media_type=CONTENT_TYPE_LATEST)
