"""The mapping primitives keep money exact, times in UTC and ids whole."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from hub.jsonio import loads
from hub.mapping import spec as s
from hub.mapping.context import Context
from hub.mapping.errors import MappingError
from hub.mapping.paths import MISSING
from tests.support import runtimes

pytestmark = pytest.mark.usefixtures("runtime")

ROOT = loads(
    b'{"price": {"Amount": "1234.565", "CurrencyCode": "JPY"}, "num": 10.99, "ms": 1595961545000,'
    b' "s": 1644412885, "iso": "2020-07-29T13:47:18.442Z", "naive": "2020-07-29T13:47:18",'
    b' "gift": "false", "pid": 576486316948490000123, "status": "Shipped",'
    b' "lines": [{"sku": "A"}, {"sku": "B"}]}'
)


def run(expr: Any, root: Any = ROOT) -> Any:
    model = s.MappingSpec.model_validate(
        {"type": "mapping", "emit": [{"type": "event", "event": "OrderPlaced", "data": {"x": expr}}]}
    )
    return runtimes.value(model.emit[0].data["x"], root, Context("test", "acct"))  # type: ignore[union-attr]


def test_money_rounds_as_declared_and_keeps_strings() -> None:
    assert run({"type": "money", "amount": "$.price.Amount", "currency": "$.price.CurrencyCode"}) == {
        "amount": "1234.565",
        "currency": "JPY",
    }
    rounded = {
        "type": "money",
        "amount": "$.price.Amount",
        "currency": "JPY",
        "scale": 2,
        "rounding": "half_up",
    }
    assert run(rounded) == {"amount": "1234.57", "currency": "JPY"}
    # JSON numbers are parsed as Decimal, so Walmart's 10.99 arrives exact.
    assert run({"type": "money", "amount": "$.num", "currency": "USD"}) == {
        "amount": "10.99",
        "currency": "USD",
    }
    assert isinstance(ROOT["num"], Decimal)


def test_money_refuses_binary_floats_and_bad_currencies() -> None:
    with pytest.raises(MappingError, match="binary float"):
        run({"type": "money", "amount": "$.f", "currency": "USD"}, {"f": 10.99})
    with pytest.raises(MappingError, match="ISO 4217"):
        run({"type": "money", "amount": "$.num", "currency": "usd"})


def test_timestamps_from_epochs_and_iso_become_utc() -> None:
    assert (
        run({"type": "timestamp", "from": "$.ms", "format": "epoch_ms"}).isoformat()
        == "2020-07-28T18:39:05+00:00"
    )
    assert (
        run({"type": "timestamp", "from": "$.s", "format": "epoch_s"}).isoformat()
        == "2022-02-09T13:21:25+00:00"
    )
    assert run({"type": "timestamp", "from": "$.iso"}).isoformat() == "2020-07-29T13:47:18.442000+00:00"
    with pytest.raises(MappingError, match="no UTC offset"):
        run({"type": "timestamp", "from": "$.naive"})
    local = run({"type": "timestamp", "from": "$.naive", "timezone": "America/Chicago"})
    assert local.isoformat() == "2020-07-29T18:47:18+00:00"


def test_string_booleans_and_big_ids() -> None:
    assert run({"type": "bool", "from": "$.gift"}) is False
    with pytest.raises(MappingError, match="boolean"):
        run({"type": "bool", "from": "$.status"})
    assert run({"type": "string", "from": "$.pid"}) == "576486316948490000123"
    assert run({"type": "int", "from": "$.pid"}) == 576486316948490000123


def test_enums_quarantine_unknown_values_with_the_known_ones() -> None:
    table = {"type": "enum", "from": "$.status", "values": {"Created": "pending", "Acknowledged": "accepted"}}
    with pytest.raises(MappingError) as unknown:
        run(table)
    assert unknown.value.describe() == "unknown value 'Shipped' at $.status; known: Created, Acknowledged"


def test_required_default_lists_and_missing_values() -> None:
    assert run("$.nothing") is MISSING
    assert run({"type": "string", "from": "$.nothing", "default": "n/a"}) == "n/a"
    with pytest.raises(MappingError, match=r"required string value is missing at \$\.nothing"):
        run({"type": "string", "from": "$.nothing", "required": True})
    listed = {"type": "list", "from": "$.lines", "item": {"type": "object", "fields": {"sku": "@.sku"}}}
    assert run(listed) == [{"sku": "A"}, {"sku": "B"}]
    assert (
        run(
            {
                "type": "format",
                "template": "{a}-{b}",
                "args": {"a": "$.status", "b": {"type": "context", "name": "account"}},
            }
        )
        == "Shipped-acct"
    )
    assert run({"type": "jsonata", "expr": "$count(lines)"}) == 2


def test_array_keeps_the_present_values_and_keys_lists_an_objects_keys() -> None:
    assert run({"type": "array", "of": ["$.status", "$.nothing", None, "$.pid"]}) == [
        "Shipped",
        576486316948490000123,
    ]
    assert run({"type": "array", "of": ["$.nothing"]}) == []
    assert run({"type": "keys", "from": "$.price"}) == ["Amount", "CurrencyCode"]
    assert run({"type": "keys", "from": "$.status"}) is MISSING
    assert run({"type": "keys", "from": "$.nothing"}) is MISSING


def test_negate_flips_the_sign_of_a_refund_exactly() -> None:
    refund = {"type": "money", "amount": "$.total", "currency": "$.currency", "negate": True}
    assert run(refund, {"total": "-10.00", "currency": "USD"}) == {"amount": "10.00", "currency": "USD"}
    assert run(refund, {"total": "-0.00", "currency": "USD"}) == {"amount": "0.00", "currency": "USD"}
    # 40 digits, beyond the 28 of Python's default decimal context: nothing is rounded on the way.
    long = "-" + "9" * 38 + ".5"
    assert run(refund, {"total": long, "currency": "JPY"})["amount"] == long[1:]
    rounded = dict(refund, scale=0, rounding="floor")  # rounds the flipped amount: 10.5 -> 10
    assert run(rounded, {"total": "-10.5", "currency": "EUR"}) == {"amount": "10", "currency": "EUR"}


def test_max_and_min_of_several_expressions() -> None:
    times = {"modified": "2017-03-22T16:28:08", "completed": "2017-03-22T16:30:00", "none": None}
    latest = {
        "type": "max",
        "of": [
            {"type": "timestamp", "from": "$.modified", "timezone": "UTC"},
            {"type": "timestamp", "from": "$.completed", "timezone": "UTC"},
            {"type": "timestamp", "from": "$.none", "timezone": "UTC"},
        ],
    }
    assert run(latest, times).isoformat() == "2017-03-22T16:30:00+00:00"
    assert run(dict(latest, type="min"), times).isoformat() == "2017-03-22T16:28:08+00:00"
    assert run({"type": "min", "of": ["$.a", "$.b"]}, {"a": "10.5", "b": 3}) == 3
    assert run({"type": "max", "of": ["$.none"]}, times) is MISSING
    with pytest.raises(MappingError, match=r"no value to take the max value from at \$\.none"):
        run({"type": "max", "of": ["$.none"], "required": True}, times)
    with pytest.raises(MappingError, match="cannot compare"):
        run(
            {"type": "max", "of": [{"type": "timestamp", "from": "$.t"}, "$.n"]},
            {"t": "2020-01-01T00:00:00Z", "n": 5},
        )


def test_max_of_expressions_is_not_max_of_items() -> None:
    with pytest.raises(ValueError, match="either `from`"):
        run({"type": "max", "from": "$.lines", "of": ["$.a"]})
    with pytest.raises(ValueError, match="coalesce"):
        run({"type": "first", "of": ["$.a"]})
    with pytest.raises(ValueError, match="only apply to `from`"):
        run({"type": "max", "of": ["$.a"], "value": "@.x"})


def test_an_empty_string_can_count_as_missing() -> None:
    woo = {"sku": "", "blank": "  ", "country": "US", "stock": ""}
    assert run({"type": "string", "from": "$.sku"}, woo) == ""
    assert run({"type": "string", "from": "$.sku", "empty": "missing"}, woo) is MISSING
    assert run({"type": "string", "from": "$.blank", "empty": "missing", "default": "none"}, woo) == "none"
    assert run({"type": "string", "from": "$.country", "empty": "missing"}, woo) == "US"
    with pytest.raises(MappingError, match=r"required int value is missing at \$\.stock"):
        run({"type": "int", "from": "$.stock", "empty": "missing", "required": True}, woo)
    with pytest.raises(MappingError, match="expected an integer"):
        run({"type": "int", "from": "$.stock"}, woo)
    money = {"type": "money", "amount": "$.stock", "currency": "USD", "empty": "missing"}
    assert run(money, woo) is MISSING


def test_headers_and_the_routing_value_are_read_from_the_delivery() -> None:
    ctx = Context(
        "shopify", headers={"x-shopify-shop-domain": "shop.myshopify.com"}, routing_value="refunds/create"
    )
    model = s.MappingSpec.model_validate(
        {
            "type": "mapping",
            "emit": [
                {
                    "type": "event",
                    "event": "OrderPlaced",
                    "data": {
                        "a": {"type": "header", "name": "X-Shopify-Shop-Domain"},
                        "b": {"type": "header", "name": "X-Absent", "default": "none"},
                        "c": {"type": "context", "name": "routing_value"},
                        "d": {"type": "header", "name": "X-Absent", "required": True},
                    },
                }
            ],
        }
    )
    data = model.emit[0].data  # type: ignore[union-attr]
    assert runtimes.value(data["a"], {}, ctx) == "shop.myshopify.com"
    assert runtimes.value(data["b"], {}, ctx) == "none"
    assert runtimes.value(data["c"], {}, ctx) == "refunds/create"
    assert runtimes.value(data["a"], {}, Context("shopify")) is MISSING
    with pytest.raises(MappingError, match="required header value is missing at header X-Absent"):
        runtimes.value(data["d"], {}, ctx)
