"""Amazon's answers in their real shapes, built from the samples: Orders v0 orders and items, Orders
2026-01-01 orders."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from hub.sandbox.gate import iso
from hub.sandbox.gate import load_json as _json
from hub.sandbox.orders import Order


def load_samples(project: Path) -> dict[str, Any]:
    folder = project / "connectors" / "amazon" / "samples"
    return {
        "order": _json(folder / "orders-getOrders-response.json")["payload"]["Orders"][0],
        "item": _json(folder / "orders-getOrderItems-response.json")["payload"]["OrderItems"][1],
        "v2": _json(folder / "orders-2026-01-01-searchOrders-response.json")["orders"][0],
        "error": _json(folder / "orders-getOrders-error-400.json"),
    }


def _money(amount: Any, currency: str) -> dict[str, str]:
    return {"CurrencyCode": currency, "Amount": f"{amount:.2f}"}


def render_v0(order: Order, samples: dict[str, Any], marketplace_id: str) -> dict[str, Any]:
    body: dict[str, Any] = copy.deepcopy(samples["order"])
    body.pop("BuyerInfo", None)
    shipped = order.status == "Shipped"
    units = sum(line.quantity for line in order.lines)
    body.update(
        AmazonOrderId=order.id,
        PurchaseDate=iso(order.created).replace(".000Z", "Z"),
        LastUpdateDate=iso(order.updated),
        OrderStatus=order.status,
        NumberOfItemsShipped=units if shipped else 0,
        NumberOfItemsUnshipped=0 if shipped else units,
        MarketplaceId=marketplace_id,
    )
    if order.status != "Pending":  # Pending orders carry no prices
        body["OrderTotal"] = _money(order.total, order.currency)
    return body


def render_items(order: Order, samples: dict[str, Any]) -> list[dict[str, Any]]:
    items = []
    for line in order.lines:
        item = copy.deepcopy(samples["item"])
        for key in ("BuyerInfo", "BuyerRequestedCancel", "PromotionIds", "ConditionNote"):
            item.pop(key, None)
        item.update(
            ASIN=f"B0{line.sku.replace('-', '')[:8]:0<8}",
            OrderItemId=f"{order.id.replace('-', '')[:10]}{line.number:0>4}",
            SellerSKU=line.sku,
            Title=line.title,
            QuantityOrdered=line.quantity,
            QuantityShipped=line.quantity if order.status == "Shipped" else 0,
        )
        if order.status == "Pending":
            item.pop("ItemPrice", None)
        else:  # ItemPrice is the line's total
            item["ItemPrice"] = _money(line.unit_price * line.quantity, order.currency)
        items.append(item)
    return items


def render_v2(order: Order, samples: dict[str, Any], marketplace_id: str) -> dict[str, Any]:
    body: dict[str, Any] = copy.deepcopy(samples["v2"])
    for key in ("associatedOrders", "orderAliases", "fulfillmentOrders"):
        body.pop(key, None)
    status = {"Pending": "PENDING", "Unshipped": "UNSHIPPED", "Shipped": "SHIPPED"}[order.status]
    body.update(orderId=order.id, createdTime=iso(order.created), lastUpdatedTime=iso(order.updated))
    body["salesChannel"]["marketplaceId"] = marketplace_id
    body["fulfillment"]["fulfillmentStatus"] = status
    template = body["orderItems"][0]
    items = []
    for line in order.lines:
        item = copy.deepcopy(template)
        item.pop("cancellation", None)
        item["orderItemId"] = f"{order.id.replace('-', '')[:10]}{line.number:0>4}"
        item["quantityOrdered"] = line.quantity
        item["product"]["sellerSku"] = line.sku
        item["product"]["title"] = line.title
        item["product"]["price"]["unitPrice"] = {
            "amount": f"{line.unit_price:.2f}",
            "currencyCode": order.currency,
        }
        item["proceeds"] = {
            "proceedsTotal": {
                "amount": f"{line.unit_price * line.quantity:.2f}",
                "currencyCode": order.currency,
            }
        }
        item["fulfillment"]["quantityFulfilled"] = line.quantity if status == "SHIPPED" else 0
        item["fulfillment"]["quantityUnfulfilled"] = 0 if status == "SHIPPED" else line.quantity
        items.append(item)
    body["orderItems"] = items
    body["proceeds"] = {"grandTotal": {"amount": f"{order.total:.2f}", "currencyCode": order.currency}}
    if status == "SHIPPED":
        package = copy.deepcopy(samples["v2"]["packages"][0])
        package.update(
            trackingNumber=order.tracking, shipTime=iso(order.updated), createdTime=iso(order.updated)
        )
        package["packageStatus"] = {"status": "IN_TRANSIT", "detailedStatus": "IN_TRANSIT"}
        package["packageItems"] = [
            {"orderItemId": i["orderItemId"], "quantity": i["quantityOrdered"]} for i in items
        ]
        body["packages"] = [package]
    else:
        body.pop("packages", None)
    return body
