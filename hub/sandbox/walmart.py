"""Walmart Marketplace, emulated: /v3/token (Basic auth, 900 s), /v3/orders with meta.nextCursor as a
ready-made query string, acknowledge, shipping updates and /v3/inventory; every call must carry
WM_SEC.ACCESS_TOKEN, WM_QOS.CORRELATION_ID and WM_SVC.NAME."""

from __future__ import annotations

import base64
import copy
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hub.sandbox import store
from hub.sandbox.gate import Handler, json_response, page_token, parse_iso, read_page_token, serve
from hub.sandbox.gate import form as gate_form
from hub.sandbox.gate import load_json as _json
from hub.sandbox.orders import Order
from hub.sandbox.state import State

M = "walmart"


def _errors(code: str, description: str, status: int) -> Response:
    return json_response(
        {
            "errors": [
                {
                    "code": code,
                    "field": "",
                    "description": description,
                    "info": description,
                    "severity": "ERROR",
                    "category": "APPLICATION",
                }
            ]
        },
        status,
    )


def render(order: Order, template: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = copy.deepcopy(template)
    ms = int(order.created * 1000)
    body.update(purchaseOrderId=order.id, customerOrderId=f"C{order.id}", orderDate=ms)
    line_template = template["orderLines"]["orderLine"][0]
    lines = []
    for line in order.lines:
        item = copy.deepcopy(line_template)
        item["lineNumber"] = line.number
        item["item"] = {"productName": line.title, "sku": line.sku}
        item["charges"]["charge"][0]["chargeAmount"] = {
            "currency": order.currency,
            "amount": float(line.unit_price * line.quantity),
        }
        item["charges"]["charge"][0]["tax"]["taxAmount"] = {"currency": order.currency, "amount": 0}
        item["orderLineQuantity"] = {"unitOfMeasurement": "EACH", "amount": str(line.quantity)}
        item["statusDate"] = int(order.updated * 1000)
        status: dict[str, Any] = {
            "status": order.status,
            "statusQuantity": {"unitOfMeasurement": "EACH", "amount": str(line.quantity)},
        }
        if order.status == "Shipped":
            status["trackingInfo"] = {
                "shipDateTime": int(order.updated * 1000),
                "carrierName": {"carrier": "UPS"},
                "methodCode": "Standard",
                "trackingNumber": order.tracking,
            }
        item["orderLineStatuses"] = {"orderLineStatus": [status]}
        lines.append(item)
    body["orderLines"] = {"orderLine": lines}
    return body


class Walmart:
    def __init__(self, state: State, project: Path) -> None:
        self.state = state
        folder = project / "connectors" / "walmart" / "samples"
        self.template = _json(folder / "orders-getAnOrder-response.json")["order"]
        self.webhook = _json(folder / "webhook-PO_CREATED.json")
        self.spec = state.specs[M]

    def _clients(self) -> dict[tuple[str, str], str]:
        return {
            (a.secrets["client_id"], a.secrets["client_secret"]): name
            for name, a in self.spec.accounts.items()
        }

    async def token(self, request: Request) -> Response:
        account = None
        try:
            kind, _, value = request.headers.get("authorization", "").partition(" ")
            client_id, _, secret = base64.b64decode(value).decode().partition(":")
            account = self._clients().get((client_id, secret)) if kind == "Basic" else None
        except ValueError:
            account = None
        form = await gate_form(request)
        if not request.headers.get("WM_QOS.CORRELATION_ID") or not request.headers.get("WM_SVC.NAME"):
            response = _errors(
                "INVALID_REQUEST_HEADER.GMP_GATEWAY_API",
                "WM_QOS.CORRELATION_ID and WM_SVC.NAME are required",
                400,
            )
        elif account is None or form.get("grant_type") != "client_credentials":
            response = _errors("UNAUTHORIZED.GMP_GATEWAY_API", "Unauthorized token or payload", 401)
        else:
            token, _ = self.state.tokens[M].issue(account)
            response = json_response(
                {"access_token": token, "token_type": "Bearer", "expires_in": self.spec.token_ttl_s}
            )
        self.state.record_call(M, "token", account, response.status_code)
        return response

    async def _auth(self, request: Request) -> str | Response:
        if not request.headers.get("WM_QOS.CORRELATION_ID") or not request.headers.get("WM_SVC.NAME"):
            return _errors(
                "INVALID_REQUEST_HEADER.GMP_GATEWAY_API",
                "WM_QOS.CORRELATION_ID and WM_SVC.NAME are required",
                400,
            )
        account = self.state.tokens[M].account_of(request.headers.get("WM_SEC.ACCESS_TOKEN"))
        if account is None:
            return _errors("UNAUTHORIZED.GMP_GATEWAY_API", "Unauthorized token or payload", 401)
        return account

    def _throttled(self) -> Response:
        return _errors("REQUEST_THRESHOLD_VIOLATED.GMP_GATEWAY_API", "Too Many Requests", 429)

    async def _serve(self, operation: str, request: Request, handler: Handler) -> Response:
        return await serve(self.state, M, operation, request, self._auth, handler, self._throttled)

    async def orders(self, request: Request) -> Response:
        q = request.query_params

        async def handle(account: str) -> Response:
            since_text = q.get("createdStartDate")
            since = parse_iso(since_text) if since_text else 0.0
            limit = min(int(q.get("limit") or 100), 200)
            fingerprint = f"{account}|{since_text}"
            offset = read_page_token(q["nextCursorMark"], fingerprint) if q.get("nextCursorMark") else 0
            if offset is None:
                return _errors("INVALID_REQUEST_PARAM.GMP_ORDER_API", "invalid cursor", 400)
            found = store.created(self.state, M, account, since)
            page = found[offset : offset + limit]
            meta: dict[str, Any] = {"totalCount": len(found), "limit": limit}
            if offset + limit < len(found):
                # Walmart's nextCursor is the next request's whole query string, beginning with "?".
                params = {
                    "limit": str(limit),
                    "hasMoreElements": "true",
                    "nextCursorMark": page_token(offset + limit, fingerprint),
                }
                if since_text:
                    params["createdStartDate"] = since_text
                meta["nextCursor"] = "?" + urlencode(params)
            return json_response(
                {"list": {"meta": meta, "elements": {"order": [render(o, self.template) for o in page]}}}
            )

        return await self._serve("getAllOrders", request, handle)

    async def _order_write(self, request: Request, operation: str, status: str) -> Response:
        async def handle(account: str) -> Response:
            body = await request.json() if (await request.body()) else None
            order_id = request.path_params["purchaseOrderId"]
            self.state.push(M, operation, account, dict(request.headers), body, order_id=order_id)
            order = store.get(self.state, M, order_id)
            if order is None or order.account != account:
                return _errors("CONTENT_NOT_FOUND.GMP_ORDER_API", "PO not found", 404)
            with self.state.lock:
                order.step = max(order.step, ["Created", "Acknowledged", "Shipped"].index(status))
            return json_response({"order": render(order, self.template)})

        return await self._serve(operation, request, handle)

    async def acknowledge(self, request: Request) -> Response:
        return await self._order_write(request, "acknowledgeOrders", "Acknowledged")

    async def ship(self, request: Request) -> Response:
        return await self._order_write(request, "shippingUpdates", "Shipped")

    async def inventory(self, request: Request) -> Response:
        async def handle(account: str) -> Response:
            body = await request.json()
            sku = request.query_params.get("sku", "")
            self.state.push(M, "updateInventoryForAnItem", account, dict(request.headers), body, sku=sku)
            if sku in self.state.rejected_skus or body.get("sku") != sku:
                return _errors("CONTENT_NOT_FOUND.GMP_INVENTORY_API", f"sku {sku} not found", 404)
            return json_response(body)

        return await self._serve("updateInventoryForAnItem", request, handle)

    def po_created(self, order: Order, partner_id: str) -> dict[str, Any]:
        """A PO_CREATED webhook (the 2020 sample's shape) for a new order."""
        from hub.sandbox.gate import iso

        body = copy.deepcopy(self.webhook)
        body["source"].update(eventTime=iso(order.created), eventId=f"sandbox-{order.id}")
        line_template = body["payload"]["orderLines"][0]
        lines = []
        for line in order.lines:
            item = copy.deepcopy(line_template)
            item.update(
                lineNumber=line.number, sku=line.sku, productName=line.title, statusDate=iso(order.created)
            )
            item["quantity"] = {"unitOfMeasure": "EACH", "measurementValue": str(line.quantity)}
            lines.append(item)
        body["payload"].update(
            partnerId=partner_id,
            purchaseOrderId=order.id,
            customerOrderId=f"C{order.id}",
            orderDate=iso(order.created),
            orderLines=lines,
        )
        return body

    def routes(self) -> list[Route]:
        return [
            Route("/walmart/v3/token", self.token, methods=["POST"]),
            Route("/walmart/v3/orders", self.orders, methods=["GET"]),
            Route("/walmart/v3/orders/{purchaseOrderId}/acknowledge", self.acknowledge, methods=["POST"]),
            Route("/walmart/v3/orders/{purchaseOrderId}/shipping", self.ship, methods=["POST"]),
            Route("/walmart/v3/inventory", self.inventory, methods=["PUT"]),
        ]
