"""What a mapping may name besides itself, on both runtimes: another mapping of the connector to include
with `$` re-rooted (and named values given), and a lookup table the connector declares. And the
mapping-wide `input.empty_strings: missing`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from hub.mapping import spec as s
from hub.mapping.context import Context
from hub.mapping.parts import Parts, problems
from hub.mapping.result import Ignored, Mapped, Quarantined
from tests.support import runtimes

pytestmark = pytest.mark.usefixtures("runtime")

CTX = Context("walmart", "seller-1", received_at=datetime(2026, 2, 11, tzinfo=UTC))

# One purchase order, mapped wherever it sits: `$` is the PO, @change and @at come from the includer.
PURCHASE_ORDER = {
    "type": "mapping",
    "input": {"with": {"change": "the change to the PO", "at": "when it happened"}},
    "emit": [
        {
            "type": "event",
            "event": {
                "type": "switch",
                "from": "@change",
                "cases": {"PO_CREATED": "OrderPlaced", "PO_LINE_AUTOCANCELLED": "OrderCancelled"},
                "ignore": {"INTENT_TO_CANCEL": "a request only"},
            },
            "data": {
                "channel": {"type": "context", "name": "connector"},
                "order_id": {"type": "string", "from": "$.purchaseOrderId", "required": True},
                "occurred_at": {
                    "type": "timestamp",
                    "from": {"type": "coalesce", "of": ["@at", "$.orderDate"]},
                },
                "order_lines": {
                    "type": "list",
                    "from": "$.orderLines",
                    "item": {"type": "object", "fields": {"line_id": "@.lineNumber", "quantity": 1}},
                },
            },
        }
    ],
}
ORDER_UPDATES = {
    "type": "mapping",
    "emit": [
        {
            "type": "include",
            "mapping": "purchase_order",
            "root": "$.payload.order",
            "with": {"change": "$.payload.subEventType", "at": "$.source.eventTime"},
        }
    ],
}
WEBHOOK = {
    "source": {"eventType": "ORDER_UPDATES", "eventTime": "2026-02-11T13:47:18Z"},
    "payload": {
        "subEventType": "PO_CREATED",
        "order": {"purchaseOrderId": "2802123876439", "orderDate": "2020-07-29T13:45:45Z", "orderLines": []},
    },
}


def parts(**mappings: dict[str, Any]) -> Parts:
    tables = {
        "marketplaces": s.LookupTable(
            rows={"ATVPDKIKX0DER": {"country": "US", "currency": "USD"}, "A1VC38T7YXB528": {"country": "JP"}}
        )
    }
    return Parts({k: s.MappingSpec.model_validate(v) for k, v in mappings.items()}, tables)


def run(mapping: dict[str, Any], payload: Any, found: Parts) -> Mapped | Quarantined | Ignored:
    spec = s.MappingSpec.model_validate(mapping)
    assert problems("m", spec, found) == []
    return runtimes.mapping(spec, parts=found).apply(payload, CTX)  # type: ignore[return-value]


def test_an_included_mapping_maps_the_part_its_root_names() -> None:
    found = parts(purchase_order=PURCHASE_ORDER)
    outcome = run(ORDER_UPDATES, WEBHOOK, found)
    assert isinstance(outcome, Mapped), outcome
    (draft,) = outcome.drafts
    assert draft.json["order_id"] == "2802123876439"
    assert draft.json["occurred_at"] == "2026-02-11T13:47:18+00:00"  # @at, given by the includer
    assert draft.local_id == "0"  # all the mapping emits: the included mapping's events, its ids
    beside = dict(ORDER_UPDATES, emit=[*ORDER_UPDATES["emit"], *ORDER_UPDATES["emit"]])
    twice = run(beside, WEBHOOK, found)
    assert isinstance(twice, Mapped) and [d.local_id for d in twice.drafts] == ["0:0", "1:0"]
    # The same mapping routed directly: the names it declares read as missing.
    direct = run(PURCHASE_ORDER, WEBHOOK["payload"]["order"], found)  # type: ignore[index]
    assert isinstance(direct, Quarantined) and "status to choose the event from is missing" in direct.reason


def test_an_include_passes_ignores_and_quarantines_through() -> None:
    found = parts(purchase_order=PURCHASE_ORDER)
    ignored = run(
        ORDER_UPDATES,
        {**WEBHOOK, "payload": {**WEBHOOK["payload"], "subEventType": "INTENT_TO_CANCEL"}},
        found,
    )  # type: ignore[dict-item]
    assert isinstance(ignored, Ignored) and ignored.reason == "INTENT_TO_CANCEL: a request only"
    missing = run(ORDER_UPDATES, {"payload": {"subEventType": "PO_CREATED"}}, found)
    assert isinstance(missing, Quarantined)
    assert missing.reason == "nothing to map with purchase_order: its root is missing at $.payload.order"


def test_includes_and_lookups_name_only_what_exists() -> None:
    found = parts(
        purchase_order=PURCHASE_ORDER, loop=dict(ORDER_UPDATES, emit=[{"type": "include", "mapping": "loop"}])
    )
    bad = s.MappingSpec.model_validate(
        {
            "type": "mapping",
            "emit": [
                {"type": "include", "mapping": "purchase_ordr"},
                {"type": "include", "mapping": "purchase_order", "with": {"chnage": "$.x"}},
                {"type": "include", "mapping": "loop"},
                {
                    "type": "event",
                    "event": "OrderPlaced",
                    "data": {
                        "a": {"type": "lookup", "table": "markets", "from": "$.id", "field": "country"},
                        "b": {"type": "lookup", "table": "marketplaces", "from": "$.id", "field": "region"},
                    },
                },
            ],
        }
    )
    found_problems = {(p.loc, p.message) for p in problems("m", bad, found)}
    assert found_problems == {
        (("emit", 0, "mapping"), "no mapping 'purchase_ordr' to include"),
        (("emit", 1, "with", "chnage"), "purchase_order declares no name 'chnage' under input.with"),
        (("emit", 2, "mapping"), "include cycle: m -> loop -> loop"),
        (("emit", 3, "data", "a", "table"), "'markets': unknown table"),
        (("emit", 3, "data", "b", "field"), "'region' is no field of table marketplaces"),
    }


def lookup(field: str, **extra: Any) -> dict[str, Any]:
    return {"type": "lookup", "table": "marketplaces", "from": "$.MarketplaceId", "field": field, **extra}


def placed(**data: Any) -> dict[str, Any]:
    base = {
        "channel": "amazon",
        "order_id": "$.AmazonOrderId",
        "occurred_at": {"type": "context", "name": "received_at"},
    }
    return {"type": "mapping", "emit": [{"type": "event", "event": "OrderPlaced", "data": {**base, **data}}]}


def test_a_lookup_gives_a_field_of_the_row_its_key_names() -> None:
    found = parts()
    order = {"AmazonOrderId": "1", "MarketplaceId": "ATVPDKIKX0DER"}
    mapping = placed(market=lookup("country"), currency=lookup("currency"))
    outcome = run(mapping, order, found)
    assert isinstance(outcome, Mapped)
    assert (outcome.drafts[0].json["market"], outcome.drafts[0].json["currency"]) == ("US", "USD")
    # An id the table does not have (a marketplace Amazon added later) gives no value...
    unknown = run(mapping, {**order, "MarketplaceId": "A0NEW"}, found)
    assert isinstance(unknown, Mapped) and unknown.drafts[0].json["market"] is None
    # ... unless the value is required: then the payload waits in quarantine, naming the known ids.
    strict = run(placed(market=lookup("country", required=True)), {**order, "MarketplaceId": "A0NEW"}, found)
    assert isinstance(strict, Quarantined)
    assert strict.reason == "lookup table marketplaces has no row 'A0NEW' at $.MarketplaceId"
    assert "ATVPDKIKX0DER" in strict.detail["known"]
    no_field = run(
        placed(currency=lookup("currency", required=True)),
        {**order, "MarketplaceId": "A1VC38T7YXB528"},
        found,
    )
    assert isinstance(no_field, Quarantined)
    assert no_field.reason.startswith("row 'A1VC38T7YXB528' of lookup table marketplaces has no currency")
    fallback = run(
        placed(currency=lookup("currency", default="JPY")),
        {**order, "MarketplaceId": "A1VC38T7YXB528"},
        found,
    )
    assert isinstance(fallback, Mapped) and fallback.drafts[0].json["currency"] == "JPY"


def test_a_mapping_can_read_every_empty_string_as_missing() -> None:
    order = {
        "AmazonOrderId": "1",
        "country": "",
        "sku": " ",
        "lines": [{"sku": ""}, {"sku": "A"}],
        "tags": ["", "x"],
    }
    mapping = placed(
        buyer_country={"type": "coalesce", "of": ["$.country", "$.fallback", "ZZ"]},
        customer_order_id="$.sku",
        order_lines={
            "type": "list",
            "from": "$.lines",
            "item": {
                "type": "object",
                "fields": {"line_id": {"type": "coalesce", "of": ["@.sku", "none"]}, "quantity": 1},
            },
        },
        channel_status={"type": "join", "from": "$.tags[*]"},
    )
    mapping["input"] = {"empty_strings": "missing"}
    outcome = run(mapping, order, parts())
    assert isinstance(outcome, Mapped), outcome
    data = outcome.drafts[0].json
    assert data["buyer_country"] == "ZZ"
    assert data["customer_order_id"] is None
    assert [line["line_id"] for line in data["order_lines"]] == ["none", "A"]
    assert data["channel_status"] == "x"
