"""Mapping-language parts for payloads whose meaning depends on several fields: nested switches, fields
per chosen event, case and join, array membership, unit prices from line totals, schema fragments."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from hub.jsonio import loads
from hub.mapping import spec as s
from hub.mapping.context import Context
from hub.mapping.errors import MappingError
from hub.mapping.paths import MISSING
from hub.mapping.result import Ignored, Mapped, Quarantined
from tests.support import runtimes

pytestmark = pytest.mark.usefixtures("runtime")

CTX = Context("shop", "acct")
ORDER = {
    "change": "StatusChange",
    "status": "Shipped",
    "at": "2024-01-02T03:04:05Z",
    "id": "A-1",
    "flags": ["BUYABLE", "DISCOVERABLE"],
    "items": [
        {"total": "17.95", "qty": 2, "cancel": "true"},
        {"total": "10.00", "qty": 3, "cancel": "false"},
    ],
}


def expr(value: Any, root: Any = ORDER) -> Any:
    model = s.MappingSpec.model_validate(
        {"type": "mapping", "emit": [{"type": "event", "event": "OrderPlaced", "data": {"x": value}}]}
    )
    return runtimes.value(model.emit[0].data["x"], root, CTX)  # type: ignore[union-attr]


def cond(value: Any, root: Any = ORDER) -> bool:
    wrapped = expr({"type": "case", "cases": [{"when": value, "value": True}], "otherwise": False}, root)
    return bool(wrapped)


def mapping(doc: dict[str, Any], tmp_path: Path | None = None) -> Any:
    spec = s.MappingSpec.model_validate({"type": "mapping", **doc})
    return runtimes.mapping(spec, tmp_path or Path("."))


ORDER_FIELDS = {
    "channel": {"type": "context", "name": "connector"},
    "order_id": "$.id",
    "channel_status": "$.status",
    "occurred_at": {"type": "timestamp", "from": "$.at"},
}
NESTED = {
    "type": "switch",
    "from": "$.change",
    "cases": {
        "StatusChange": {
            "type": "switch",
            "from": "$.status",
            "cases": {"Pending": "OrderPlaced", "Shipped": "OrderShipped"},
        }
    },
    "ignore": {"TipChange": "a tip changes no status"},
}


def test_a_nested_switch_chooses_by_two_fields_and_keeps_both_tables_closed() -> None:
    m = mapping(
        {
            "emit": [
                {
                    "type": "event",
                    "event": NESTED,
                    "data": ORDER_FIELDS,
                    "data_by_event": {"OrderShipped": {"partial": False}},
                }
            ]
        }
    )
    shipped = m.apply(ORDER, CTX)
    assert isinstance(shipped, Mapped)
    assert [d.event.TYPE for d in shipped.drafts] == ["OrderShipped"]
    assert shipped.drafts[0].data.model_dump()["partial"] is False

    pending = m.apply({**ORDER, "status": "Pending"}, CTX)
    assert isinstance(pending, Mapped) and pending.drafts[0].event.TYPE == "OrderPlaced"
    assert "partial" not in pending.drafts[0].data.model_dump()  # fields only for the chosen event

    tip = m.apply({**ORDER, "change": "TipChange"}, CTX)
    assert tip == Ignored("m", "TipChange: a tip changes no status")

    unknown_status = m.apply({**ORDER, "status": "Lost"}, CTX)
    assert isinstance(unknown_status, Quarantined)
    assert unknown_status.reason == "unknown value 'Lost' at $.status"
    assert unknown_status.detail["known"] == ["Pending", "Shipped"]
    unknown_change = m.apply({**ORDER, "change": "Refund"}, CTX)
    assert isinstance(unknown_change, Quarantined)
    assert unknown_change.reason == "unknown value 'Refund' at $.change"
    assert unknown_change.detail["known"] == ["StatusChange", "TipChange"]


def test_data_by_event_must_name_an_event_the_emitter_can_emit() -> None:
    with pytest.raises(ValidationError, match="data_by_event names OrderCancelled, which this emitter never"):
        mapping(
            {
                "emit": [
                    {
                        "type": "event",
                        "event": NESTED,
                        "data": ORDER_FIELDS,
                        "data_by_event": {"OrderCancelled": {"reason": "x"}},
                    }
                ]
            }
        )


def test_case_takes_the_first_branch_that_holds() -> None:
    status = {
        "type": "case",
        "cases": [
            {"when": {"type": "contains", "from": "$.flags", "value": "DELETED"}, "value": "deleted"},
            {"when": {"type": "contains", "from": "$.flags", "value": "BUYABLE"}, "value": "active"},
        ],
        "otherwise": "inactive",
    }
    assert expr(status) == "active"
    assert expr(status, {"flags": ["BUYABLE", "DELETED"]}) == "deleted"
    assert expr(status, {"flags": []}) == "inactive"
    assert expr({**status, "otherwise": None}, {"flags": []}) is MISSING


def test_contains_reads_arrays_and_list_expressions_and_string_booleans() -> None:
    flags = {"type": "list", "from": "$.items", "item": {"type": "bool", "from": "@.cancel"}}
    assert cond({"type": "contains", "from": flags, "value": True})
    assert not cond({"type": "contains", "from": flags, "value": True}, {"items": [{"cancel": "false"}]})
    assert not cond({"type": "contains", "from": "$.flags", "value": "DELETED"})
    assert not cond({"type": "contains", "from": "$.missing", "value": "x"})
    assert not cond({"type": "contains", "from": "$.id", "value": "A"})  # a string is not an array


def test_join_writes_an_array_as_one_string() -> None:
    assert expr({"type": "join", "from": "$.flags"}) == "BUYABLE,DISCOVERABLE"
    assert expr({"type": "join", "from": "$.flags", "separator": " "}) == "BUYABLE DISCOVERABLE"
    assert expr({"type": "join", "from": "$.nothing"}) is MISSING
    assert expr({"type": "join", "from": "$.flags"}, {"flags": []}) is MISSING
    twice = {"flags": ["A", "B", "A"]}
    assert expr({"type": "join", "from": "$.flags", "distinct": True, "separator": "; "}, twice) == "A; B"
    with pytest.raises(MappingError, match="can only join"):
        expr({"type": "join", "from": "$.items"})


def unit_price(item: dict[str, Any], **extra: Any) -> Any:
    money = {"type": "money", "amount": "$.total", "currency": "JPY", "per": "$.qty", **extra}
    return expr(money, loads(json.dumps(item)))


def test_money_per_unit_divides_a_line_total_exactly() -> None:
    assert unit_price({"total": "17.95", "qty": 2}) == {"amount": "8.975", "currency": "JPY"}
    assert unit_price({"total": "25.99", "qty": "1"}) == {"amount": "25.99", "currency": "JPY"}
    assert unit_price({"total": "10.00", "qty": 2}) == {"amount": "5.00", "currency": "JPY"}
    assert unit_price({"total": "0.00", "qty": 0}) is MISSING  # a cancelled line has no unit price


def test_money_per_unit_never_rounds_unless_told_to() -> None:
    with pytest.raises(MappingError, match=r"10\.00 / 3 is not exact; declare scale and rounding"):
        unit_price({"total": "10.00", "qty": 3})
    assert unit_price({"total": "10.00", "qty": 3}, scale=2, rounding="half_up") == {
        "amount": "3.33",
        "currency": "JPY",
    }
    with pytest.raises(MappingError, match="quantity to divide"):
        unit_price({"total": "10.00"})


def test_input_schema_can_name_one_definition_of_a_bigger_schema(tmp_path: Path) -> None:
    schema = {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "$ref": "#/definitions/Page",
        "definitions": {
            "Page": {"type": "object", "required": ["orders"]},
            "Order": {
                "type": "object",
                "required": ["id", "status"],
                "properties": {"status": {"$ref": "#/definitions/Status"}},
            },
            "Status": {"type": "string", "enum": ["Pending", "Shipped"]},
        },
    }
    (tmp_path / "page.json").write_text(json.dumps(schema))
    emit = [{"type": "event", "event": NESTED, "data": ORDER_FIELDS}]
    m = mapping({"input": {"schema": "page.json#/definitions/Order"}, "emit": emit}, tmp_path)
    assert isinstance(m.apply(ORDER, CTX), Mapped)  # validated as an order, not as a page
    wrong = m.apply({**ORDER, "status": "Lost"}, CTX)
    assert isinstance(wrong, Quarantined)
    assert wrong.reason.startswith("payload does not match page.json#/definitions/Order: ")

    # Errors inside a referenced definition are located at the definition, as the validator reports them.
    lenient = {"schema": "page.json#/definitions/Order", "lenient": ["/definitions/Status"]}
    tolerant = mapping({"input": lenient, "emit": emit}, tmp_path).apply({**ORDER, "status": "Lost"}, CTX)
    assert isinstance(tolerant, Quarantined) and tolerant.reason.startswith("unknown value 'Lost'")

    with pytest.raises(ValueError, match=r"the pointer names nothing in page\.json"):
        mapping({"input": {"schema": "page.json#/definitions/Nope"}, "emit": emit}, tmp_path)


def test_contains_and_case_compile_as_conditions_everywhere() -> None:
    contains = s.ContainsCond.model_validate({"type": "contains", "from": "$.flags", "value": "BUYABLE"})
    assert runtimes.holds(contains, ORDER, CTX)
