"""TikTok Shop Partner API 202309, emulated: /api/v2/token/get|refresh, Search Orders (next_page_token),
Get Order Detail by ids, package shipping and inventory update. Every call's `sign` is checked."""

from __future__ import annotations

import copy
import hmac
import json
import time
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hub.api.signing import signature
from hub.connectors.api_spec import HmacSigning
from hub.credentials import Secret
from hub.sandbox import store
from hub.sandbox.gate import Handler, json_response, page_token, read_page_token, serve
from hub.sandbox.gate import load_json as _json
from hub.sandbox.orders import Order
from hub.sandbox.state import State

M = "tiktok"
# partner.tiktokshop.com/docv2/page/sign-your-api-request
SIGNING = HmacSigning(
    type="hmac",
    secret="app_secret",
    message="{secret:app_secret}{path}{sorted_query}{body}{secret:app_secret}",
    exclude=["sign", "access_token"],
    query="sign",
)
TIMESTAMP_WINDOW_S = 300


def _fail(code: int, message: str, status: int = 200) -> Response:
    return json_response({"code": code, "message": message, "request_id": "sandbox", "data": None}, status)


def _ok(data: Any) -> Response:
    return json_response({"code": 0, "message": "Success", "request_id": "sandbox", "data": data})


def render(order: Order, template: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = copy.deepcopy(template)
    for key in (
        "cancel_reason",
        "cancellation_initiator",
        "cancel_time",
        "request_cancel_time",
        "replaced_order_id",
        "exchange_source_order_id",
        "is_replacement_order",
        "is_exchange_order",
    ):
        body.pop(key, None)
    body.update(
        id=order.id,
        create_time=int(order.created),
        update_time=int(order.updated),
        status=order.status,
        tracking_number=order.tracking,
        paid_time=int(order.created) + 1,
    )
    if order.status in ("UNPAID",):
        body.pop("paid_time", None)
    body["payment"] = {
        **body["payment"],
        "currency": order.currency,
        "total_amount": f"{order.total:.2f}",
        "sub_total": f"{order.total:.2f}",
        "tax": "0",
    }
    line_template = template["line_items"][0]
    items = []
    for line in order.lines:  # 202309 lists one line item per unit
        for unit in range(line.quantity):
            item = copy.deepcopy(line_template)
            item.pop("cancel_reason", None)
            item.pop("cancel_user", None)
            item.update(
                id=f"{order.id}{line.number}{unit}",
                seller_sku=line.sku,
                sku_id=f"9{line.sku[-3:]:0>18}",
                product_name=line.title,
                sale_price=f"{line.unit_price:.2f}",
                original_price=f"{line.unit_price:.2f}",
                currency=order.currency,
                display_status=order.status,
                tracking_number=order.tracking,
                sku_type="NORMAL",
            )
            items.append(item)
    body["line_items"] = items
    body["packages"] = [{"id": f"P{order.id}"}]
    return body


class TikTok:
    def __init__(self, state: State, project: Path) -> None:
        self.state = state
        folder = project / "connectors" / "tiktok" / "samples"
        self.template = _json(folder / "order-searchOrders-202309-response.json")["data"]["orders"][0]
        self.spec = state.specs[M]
        creds = self.spec.credentials
        self.app_key, self.app_secret = creds["TIKTOK_APP_KEY"], creds["TIKTOK_APP_SECRET"]

    def _refresh_tokens(self) -> dict[str, str]:
        return {a.secrets["refresh_token"]: name for name, a in self.spec.accounts.items()}

    def _token_answer(self, account: str, refresh_token: str) -> Response:
        token, expires = self.state.tokens[M].issue(account)
        shop = self.spec.accounts[account]
        return _ok(
            {
                "access_token": token,
                "access_token_expire_in": int(expires),
                "refresh_token": refresh_token,
                "refresh_token_expire_in": int(time.time()) + 365 * 86400,
                "open_id": shop.id,
                "seller_name": f"Sandbox shop {account}",
                "seller_base_region": "US",
                "user_type": 0,
                "granted_scopes": ["seller.order.info", "seller.fulfillment.basic", "seller.product.basic"],
            }
        )

    async def token_refresh(self, request: Request) -> Response:
        q = request.query_params
        account = self._refresh_tokens().get(q.get("refresh_token", ""))
        if q.get("app_key") != self.app_key or q.get("app_secret") != self.app_secret:
            response = _fail(36004004, "invalid app_key or app_secret")
        elif q.get("grant_type") != "refresh_token" or account is None:
            response = _fail(36004005, "invalid refresh_token")
        else:
            response = self._token_answer(account, q["refresh_token"])
        self.state.record_call(M, "tokenRefresh", account, response.status_code)
        return response

    async def token_get(self, request: Request) -> Response:
        """The authorization code grant: the sandbox's auth code is the account's refresh token."""
        q = request.query_params
        account = self._refresh_tokens().get(q.get("auth_code", ""))
        if q.get("app_key") != self.app_key or q.get("app_secret") != self.app_secret or account is None:
            return _fail(36004004, "invalid app_key, app_secret or auth_code")
        return self._token_answer(account, q["auth_code"])

    async def _auth(self, request: Request) -> str | Response:
        q = dict(request.query_params)
        if q.get("app_key") != self.app_key:
            return _fail(106001, "invalid app_key", 401)
        try:
            stamp = int(q.get("timestamp", ""))
        except ValueError:
            return _fail(106002, "missing timestamp", 401)
        if abs(time.time() - stamp) > TIMESTAMP_WINDOW_S:
            return _fail(106002, "timestamp outside the 5 minute window", 401)
        given = q.pop("sign", "")
        expected = signature(
            SIGNING,
            {"app_secret": Secret(self.app_secret, "sandbox")},
            path=request.url.path,
            query=q,
            body=await request.body(),
        )
        if not hmac.compare_digest(given, expected):
            return _fail(106001, "invalid sign", 401)
        account = self.state.tokens[M].account_of(request.headers.get("x-tts-access-token"))
        if account is None:
            return _fail(105002, "access token expired", 401)
        return account

    def _throttled(self) -> Response:
        return _fail(36009002, "Too many requests", 429)

    async def _serve(self, operation: str, request: Request, handler: Handler) -> Response:
        return await serve(self.state, M, operation, request, self._auth, handler, self._throttled)

    async def search(self, request: Request) -> Response:
        async def handle(account: str) -> Response:
            filters = json.loads(await request.body() or b"{}")
            by_creation = "create_time_ge" in filters
            since = float(filters.get("create_time_ge" if by_creation else "update_time_ge") or 0)
            size = min(int(request.query_params.get("page_size") or 20), 100)
            fingerprint = f"{account}|{since}|{by_creation}"
            token = request.query_params.get("page_token")
            offset = read_page_token(token, fingerprint) if token else 0
            if offset is None:
                return _fail(36009003, "invalid page_token")
            found = (store.created if by_creation else store.changed)(self.state, M, account, since)
            page = found[offset : offset + size]
            more = offset + size < len(found)
            return _ok(
                {
                    "orders": [render(o, self.template) for o in page],
                    "total_count": len(found),
                    "next_page_token": page_token(offset + size, fingerprint) if more else "",
                }
            )

        return await self._serve("searchOrders", request, handle)

    async def detail(self, request: Request) -> Response:
        async def handle(account: str) -> Response:
            ids = [i for i in request.query_params.get("ids", "").split(",") if i][:50]
            found = [store.get(self.state, M, i) for i in ids]
            return _ok(
                {
                    "orders": [
                        render(o, self.template) for o in found if o is not None and o.account == account
                    ]
                }
            )

        return await self._serve("getOrderDetail", request, handle)

    async def ship(self, request: Request) -> Response:
        async def handle(account: str) -> Response:
            body = json.loads(await request.body() or b"{}")
            self.state.push(
                M,
                "shipPackage",
                account,
                dict(request.headers),
                body,
                package_id=request.path_params["package_id"],
            )
            return _ok({})

        return await self._serve("shipPackage", request, handle)

    async def inventory(self, request: Request) -> Response:
        async def handle(account: str) -> Response:
            body = json.loads(await request.body() or b"{}")
            product = request.path_params["product_id"]
            self.state.push(M, "updateInventory", account, dict(request.headers), body, product_id=product)
            bad = [s.get("id") for s in body.get("skus", []) if s.get("id") in self.state.rejected_skus]
            if bad:
                return _fail(12052048, f"sku {', '.join(map(str, bad))} does not exist")
            return _ok({})

        return await self._serve("updateInventory", request, handle)

    def status_change(self, order: Order, shop_id: str) -> dict[str, Any]:
        """A thin ORDER_STATUS_CHANGE webhook: order id and status only."""
        return {
            "type": 1,
            "tts_notification_id": f"sandbox-{order.id}-{order.step}",
            "shop_id": shop_id,
            "timestamp": int(order.updated),
            "data": {
                "order_id": order.id,
                "order_status": order.status,
                "is_on_hold_order": False,
                "update_time": int(order.updated),
            },
        }

    def routes(self) -> list[Route]:
        return [
            Route("/tiktok/api/v2/token/get", self.token_get, methods=["GET"]),
            Route("/tiktok/api/v2/token/refresh", self.token_refresh, methods=["GET"]),
            Route("/tiktok/order/202309/orders/search", self.search, methods=["POST"]),
            Route("/tiktok/order/202309/orders", self.detail, methods=["GET"]),
            Route("/tiktok/fulfillment/202309/packages/{package_id}/ship", self.ship, methods=["POST"]),
            Route(
                "/tiktok/product/202309/products/{product_id}/inventory/update",
                self.inventory,
                methods=["POST"],
            ),
        ]
