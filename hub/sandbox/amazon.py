"""Amazon SP-API, emulated: LWA tokens, Orders v0 (getOrders, getOrder, getOrderItems with NextToken),
Orders 2026-01-01 searchOrders (pagination.nextToken), confirmShipment and listings patch."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hub.sandbox import store
from hub.sandbox.amazon_shapes import load_samples, render_items, render_v0, render_v2
from hub.sandbox.gate import Handler, iso, json_response, page_token, parse_iso, read_page_token, serve
from hub.sandbox.gate import form as gate_form
from hub.sandbox.state import State

M = "amazon"


def _errors(code: str, message: str, status: int) -> Response:
    return json_response({"errors": [{"code": code, "message": message}]}, status)


class Amazon:
    def __init__(self, state: State, project: Path) -> None:
        self.state = state
        self.samples = load_samples(project)
        self.spec = state.specs[M]

    def _refresh_tokens(self) -> dict[str, str]:
        return {a.secrets["refresh_token"]: name for name, a in self.spec.accounts.items()}

    async def token(self, request: Request) -> Response:
        form = await gate_form(request)
        creds = self.spec.credentials
        account = self._refresh_tokens().get(str(form.get("refresh_token", "")))
        body: dict[str, Any]
        ok_client = (
            form.get("client_id") == creds["AMAZON_LWA_CLIENT_ID"]
            and form.get("client_secret") == creds["AMAZON_LWA_CLIENT_SECRET"]
        )
        if form.get("grant_type") != "refresh_token" or not ok_client or account is None:
            status, body = (
                400,
                {"error": "invalid_grant", "error_description": "The request has an invalid grant parameter"},
            )
        else:
            token, _ = self.state.tokens[M].issue(account)
            status, body = (
                200,
                {
                    "access_token": token,
                    "token_type": "bearer",
                    "expires_in": self.spec.token_ttl_s,
                    "refresh_token": form.get("refresh_token"),
                },
            )
        self.state.record_call(M, "lwaToken", account, status)
        return json_response(body, status)

    async def _auth(self, request: Request) -> str | Response:
        account = self.state.tokens[M].account_of(request.headers.get("x-amz-access-token"))
        if account is None:
            return json_response(
                {
                    "errors": [
                        {
                            "code": "Unauthorized",
                            "message": "Access to requested resource is denied.",
                            "details": "The access token you provided has expired.",
                        }
                    ]
                },
                403,
            )
        return account

    def _throttled(self) -> Response:
        return _errors("QuotaExceeded", "You exceeded your quota for the requested resource.", 429)

    async def _serve(self, operation: str, request: Request, handler: Handler) -> Response:
        return await serve(self.state, M, operation, request, self._auth, handler, self._throttled)

    def _marketplace(self, account: str) -> str:
        return self.spec.accounts[account].secrets.get("marketplace_id", "ATVPDKIKX0DER")

    async def get_orders(self, request: Request) -> Response:
        q = request.query_params

        async def handle(account: str) -> Response:
            since_text = q.get("LastUpdatedAfter") or q.get("CreatedAfter")
            if not q.get("MarketplaceIds") or not since_text:
                return json_response(self.samples["error"], 400)
            fingerprint = f"{account}|{since_text}|{q.get('LastUpdatedBefore')}"
            offset = read_page_token(q["NextToken"], fingerprint) if q.get("NextToken") else 0
            if offset is None:
                return _errors("InvalidInput", "Invalid NextToken", 400)
            size = min(int(q.get("MaxResultsPerPage") or 100), 100)
            until = parse_iso(q["LastUpdatedBefore"]) if q.get("LastUpdatedBefore") else None
            found = store.changed(self.state, M, account, parse_iso(since_text), until)
            page = found[offset : offset + size]
            payload: dict[str, Any] = {
                "Orders": [render_v0(o, self.samples, self._marketplace(account)) for o in page]
            }
            if offset + size < len(found):
                payload["NextToken"] = page_token(offset + size, fingerprint)
            payload["LastUpdatedBefore"] = iso(time.time())
            return json_response({"payload": payload})

        return await self._serve("getOrders", request, handle)

    async def get_order(self, request: Request) -> Response:
        async def handle(account: str) -> Response:
            order = store.get(self.state, M, request.path_params["orderId"])
            if order is None or order.account != account:
                return _errors("NotFound", "Order not found", 404)
            return json_response({"payload": render_v0(order, self.samples, self._marketplace(account))})

        return await self._serve("getOrder", request, handle)

    async def get_order_items(self, request: Request) -> Response:
        async def handle(account: str) -> Response:
            order = store.get(self.state, M, request.path_params["orderId"])
            if order is None or order.account != account:
                return _errors("NotFound", "Order not found", 404)
            return json_response(
                {"payload": {"AmazonOrderId": order.id, "OrderItems": render_items(order, self.samples)}}
            )

        return await self._serve("getOrderItems", request, handle)

    async def search_orders(self, request: Request) -> Response:
        q = request.query_params

        async def handle(account: str) -> Response:
            since_text = q.get("lastUpdatedAfter") or q.get("createdAfter")
            if not q.get("marketplaceIds") or not since_text:
                return _errors("InvalidInput", "lastUpdatedAfter or createdAfter is required", 400)
            fingerprint = f"{account}|{since_text}|2026"
            offset = read_page_token(q["paginationToken"], fingerprint) if q.get("paginationToken") else 0
            if offset is None:
                return _errors("InvalidInput", "Invalid paginationToken", 400)
            size = min(int(q.get("maxResultsPerPage") or 100), 100)
            found = store.changed(self.state, M, account, parse_iso(since_text))
            page = found[offset : offset + size]
            body: dict[str, Any] = {
                "orders": [render_v2(o, self.samples, self._marketplace(account)) for o in page]
            }
            if offset + size < len(found):
                body["pagination"] = {"nextToken": page_token(offset + size, fingerprint)}
            return json_response(body)

        return await self._serve("searchOrders", request, handle)

    async def confirm_shipment(self, request: Request) -> Response:
        async def handle(account: str) -> Response:
            body = await request.json()
            self.state.push(
                M,
                "confirmShipment",
                account,
                dict(request.headers),
                body,
                order_id=request.path_params["orderId"],
            )
            if not body.get("packageDetail", {}).get("trackingNumber"):
                return _errors("InvalidInput", "trackingNumber is required", 400)
            return Response(status_code=204)

        return await self._serve("confirmShipment", request, handle)

    async def patch_listing(self, request: Request) -> Response:
        async def handle(account: str) -> Response:
            body = await request.json()
            sku = request.path_params["sku"]
            self.state.push(M, "patchListingsItem", account, dict(request.headers), body, sku=sku)
            if sku in self.state.rejected_skus:
                return json_response(
                    {
                        "sku": sku,
                        "status": "INVALID",
                        "submissionId": "sandbox",
                        "issues": [
                            {
                                "code": "90220",
                                "message": f"SKU {sku} is not in the catalog",
                                "severity": "ERROR",
                            }
                        ],
                    }
                )
            return json_response(
                {
                    "sku": sku,
                    "status": "ACCEPTED",
                    "submissionId": f"sub-{self.state.next_sequence()}",
                    "issues": [],
                }
            )

        return await self._serve("patchListingsItem", request, handle)

    def routes(self) -> list[Route]:
        return [
            Route("/amazon/auth/o2/token", self.token, methods=["POST"]),
            Route("/amazon/orders/v0/orders", self.get_orders, methods=["GET"]),
            Route("/amazon/orders/v0/orders/{orderId}", self.get_order, methods=["GET"]),
            Route("/amazon/orders/v0/orders/{orderId}/orderItems", self.get_order_items, methods=["GET"]),
            Route(
                "/amazon/orders/v0/orders/{orderId}/shipmentConfirmation",
                self.confirm_shipment,
                methods=["POST"],
            ),
            Route("/amazon/orders/2026-01-01/orders", self.search_orders, methods=["GET"]),
            Route(
                "/amazon/listings/2021-08-01/items/{sellerId}/{sku}", self.patch_listing, methods=["PATCH"]
            ),
        ]
