"""The sandbox server: the three emulations, the PSP, the order generator and the admin API under
/_sandbox (seed orders, inject faults, change limits, read the request log and what was pushed)."""

from __future__ import annotations

import dataclasses
import logging
import random
import threading
import time
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from hub.sandbox import store
from hub.sandbox.amazon import Amazon
from hub.sandbox.config import Limit, SandboxSpec, load_specs
from hub.sandbox.gate import json_response
from hub.sandbox.notify import Notifier
from hub.sandbox.orders import Order
from hub.sandbox.psp import Psp
from hub.sandbox.psp import create_app as psp_app
from hub.sandbox.state import Fault, State
from hub.sandbox.tiktok import TikTok
from hub.sandbox.walmart import Walmart

log = logging.getLogger(__name__)


class Sandbox:
    def __init__(
        self,
        project: Path,
        *,
        webhook_url: str | None = None,
        sqs_queue_url: str | None = None,
        sqs_endpoint: str | None = None,
        seed: int = 7,
    ) -> None:
        self.specs: dict[str, SandboxSpec] = load_specs(project)
        self.state = State(self.specs)
        self.rng = random.Random(seed)
        self.amazon = Amazon(self.state, project)
        self.walmart = Walmart(self.state, project)
        self.tiktok = TikTok(self.state, project)
        self.psp = Psp()
        self.notifier = Notifier(
            project,
            {n: s.credentials for n, s in self.specs.items()},
            webhook_url,
            sqs_queue_url,
            sqs_endpoint,
        )

    # --- orders and their notifications -------------------------------------------------------------
    def _account_id(self, marketplace: str, account: str) -> str:
        return self.specs[marketplace].accounts[account].id

    def notify(self, order: Order) -> None:
        shop = self._account_id(order.marketplace, order.account)
        if order.marketplace == "tiktok":
            self.notifier.tiktok(self.tiktok.status_change(order, shop))
        elif order.marketplace == "walmart" and order.step == 0:
            self.notifier.walmart(self.walmart.po_created(order, shop))
        elif order.marketplace == "amazon":
            self.notifier.amazon(order, shop)

    def seed(
        self,
        marketplace: str,
        count: int,
        *,
        account: str = "default",
        spread_s: float = 3600,
        notify: bool = False,
    ) -> list[Order]:
        made = store.seed(self.state, marketplace, account, count, self.rng, spread_s)
        if notify:
            for order in made:
                self.notify(order)
        return made

    def hold_sample_orders(self) -> None:
        """The orders the connectors' sample notifications name (sandbox.yaml `sample_orders`)."""
        for marketplace, spec in self.specs.items():
            for order_id in spec.sample_orders:
                store.hold(self.state, marketplace, "default", order_id, self.rng)

    def advance(self, marketplace: str, count: int, notify: bool = True) -> list[Order]:
        with self.state.lock:
            movable = [o for o in self.state.orders.values() if o.marketplace == marketplace]
            self.rng.shuffle(movable)
            moved: list[Order] = []
            for order in movable:
                if len(moved) >= count:
                    break
                if order.advance(time.time()):
                    moved.append(order)
        if notify:
            for order in moved:
                self.notify(order)
        return moved

    def generate(self, every_s: float, stop: threading.Event) -> None:
        """A new order and a status change per marketplace every `every_s` seconds, each notified, until
        `stop` is set."""
        while not stop.wait(every_s):
            for marketplace in self.specs:
                try:
                    self.seed(marketplace, 1, spread_s=0, notify=True)
                    self.advance(marketplace, 1)
                except Exception:  # the generator must not die with one bad notification
                    log.exception("sandbox generator (%s)", marketplace)

    def close(self) -> None:
        self.notifier.close()

    # --- admin API ----------------------------------------------------------------------------------
    async def _seed(self, request: Request) -> Response:
        body = await request.json()
        made = self.seed(
            body["marketplace"],
            int(body.get("count", 1)),
            account=body.get("account", "default"),
            spread_s=float(body.get("spread_s", 3600)),
            notify=bool(body.get("notify", False)),
        )
        return json_response({"orders": [o.id for o in made]})

    async def _advance(self, request: Request) -> Response:
        body = await request.json()
        moved = self.advance(body["marketplace"], int(body.get("count", 1)), bool(body.get("notify", True)))
        return json_response({"orders": [{"id": o.id, "status": o.status} for o in moved]})

    async def _orders(self, request: Request) -> Response:
        marketplace = request.query_params.get("marketplace")
        with self.state.lock:
            found = [
                {
                    "marketplace": o.marketplace,
                    "account": o.account,
                    "id": o.id,
                    "status": o.status,
                    "lines": len(o.lines),
                    "total": f"{o.total:.2f}",
                    "currency": o.currency,
                }
                for o in self.state.orders.values()
                if marketplace in (None, o.marketplace)
            ]
        return json_response({"orders": found})

    async def _faults(self, request: Request) -> Response:
        body = await request.json()
        fault = Fault(
            body["marketplace"],
            body.get("operation", "*"),
            str(body["kind"]),
            int(body.get("count", 1)),
            body.get("retry_after"),
        )
        with self.state.lock:
            self.state.faults.append(fault)
        return json_response({"ok": True})

    async def _limits(self, request: Request) -> Response:
        body = await request.json()
        with self.state.lock:
            if "enabled" in body:
                self.state.limits_on = bool(body["enabled"])
            if "operation" in body:
                self.state.limits[body["marketplace"]][body["operation"]] = Limit(
                    rps=body["rps"], burst=body["burst"]
                )
        return json_response({"ok": True, "enabled": self.state.limits_on})

    async def _expire(self, request: Request) -> Response:
        body = await request.json()
        self.state.tokens[body["marketplace"]].expire_all()
        return json_response({"ok": True})

    async def _reject(self, request: Request) -> Response:
        body = await request.json()
        with self.state.lock:
            self.state.rejected_skus = set(body.get("skus", []))
        return json_response({"ok": True})

    async def _requests(self, request: Request) -> Response:
        with self.state.lock:
            entries = [dataclasses.asdict(e) for e in self.state.log]
        return json_response({"requests": entries})

    async def _pushed(self, request: Request) -> Response:
        with self.state.lock:
            return json_response({"pushed": list(self.state.pushed)})

    async def _tokens(self, request: Request) -> Response:
        # Tests search every output for these: no access token may leak anywhere.
        return json_response(
            {
                name: {"refreshes": t.refreshes, "issued": list(t.issued)}
                for name, t in self.state.tokens.items()
            }
        )

    async def _health(self, request: Request) -> Response:
        return json_response(
            {"ok": True, "marketplaces": sorted(self.specs), "webhooks": self.notifier.sent[-20:]}
        )

    def app(self) -> Starlette:
        admin: list[Any] = [
            Route("/_sandbox/health", self._health),
            Route("/_sandbox/orders", self._seed, methods=["POST"]),
            Route("/_sandbox/orders", self._orders, methods=["GET"]),
            Route("/_sandbox/advance", self._advance, methods=["POST"]),
            Route("/_sandbox/faults", self._faults, methods=["POST"]),
            Route("/_sandbox/limits", self._limits, methods=["POST"]),
            Route("/_sandbox/expire_tokens", self._expire, methods=["POST"]),
            Route("/_sandbox/reject_skus", self._reject, methods=["POST"]),
            Route("/_sandbox/requests", self._requests),
            Route("/_sandbox/pushed", self._pushed),
            Route("/_sandbox/tokens", self._tokens),
        ]
        routes = admin + self.amazon.routes() + self.walmart.routes() + self.tiktok.routes()
        # The PSP's own app (its API and /_sandbox/psp) takes every path the marketplaces do not.
        return Starlette(routes=[*routes, Mount("", app=psp_app(self.psp))])
