"""The baseline: a FastAPI endpoint that reads the body and answers 200, under the receiver's uvicorn
settings (hub.up.server_config), interpreter settings (hub.up.tune_runtime) and logging, so the only
difference measured is the receiver's work.

Run by bench/receiver.py as `python bench/bare_app.py --port P`.
"""

from __future__ import annotations

import argparse

import uvicorn
from fastapi import FastAPI, Request, Response

from hub import logs
from hub.up import server_config, tune_runtime


def create_app() -> FastAPI:
    app = FastAPI(title="bare endpoint", docs_url=None, redoc_url=None)

    @app.get("/healthz")
    async def healthz() -> Response:
        return Response(b'{"status":"ok"}', media_type="application/json")

    @app.post("/webhooks/{connector}")
    async def receive(connector: str, request: Request) -> Response:
        await request.body()
        return Response(b'{"status":"ok"}', media_type="application/json")

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    logs.configure()
    server = uvicorn.Server(server_config(create_app(), host=args.host, port=args.port))
    tune_runtime()  # the receiver's interpreter settings too: only the work per request differs
    server.run()


if __name__ == "__main__":
    main()
