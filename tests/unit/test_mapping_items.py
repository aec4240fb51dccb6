"""Mapping primitives over the items of arrays: [*] paths, `as:` names, distinct foreach keys, sums,
first/min/max, and the `some`/`same` conditions, on shapes taken from Walmart's per-line statuses."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from hub.jsonio import loads
from hub.mapping import spec as s
from hub.mapping.context import Context
from hub.mapping.errors import MappingError
from hub.mapping.paths import MISSING
from hub.mapping.result import Mapped, Quarantined
from tests.support import runtimes

pytestmark = pytest.mark.usefixtures("runtime")

# One PO: line 1 split across two statuses, two lines shipped under one tracking number, one under another.
PO = loads(
    b"""{"purchaseOrderId": "P1", "lines": [
  {"lineNumber": "1", "sku": "A", "statusDate": 1568466647000,
   "charges": [{"amount": {"amount": 10, "currency": "USD"}, "tax": {"amount": 0.8, "currency": "USD"}}],
   "statuses": [{"status": "Shipped", "qty": "1", "tracking": {"number": "T1", "at": 1568466000000}},
                {"status": "Cancelled", "qty": "2", "reason": "OUT_OF_STOCK"}]},
  {"lineNumber": "2", "sku": "B", "statusDate": 1568466700000,
   "charges": [{"amount": {"amount": 5.1, "currency": "USD"}}],
   "statuses": [{"status": "Shipped", "qty": "1", "tracking": {"number": "T1", "at": 1568466000000}}]},
  {"lineNumber": "3", "sku": "C", "statusDate": 1568466800000,
   "charges": [{"amount": {"amount": 0.1, "currency": "USD"}}],
   "statuses": [{"status": "Shipped", "qty": "3", "tracking": {"number": "T2", "at": 1568469000000}}]}]}"""
)
CTX = Context("walmart", "seller-1")


def value(expr: Any, root: Any = PO) -> Any:
    model = s.MappingSpec.model_validate(
        {"type": "mapping", "emit": [{"type": "event", "event": "OrderPlaced", "data": {"x": expr}}]}
    )
    return runtimes.value(model.emit[0].data["x"], root, CTX)  # type: ignore[union-attr]


def holds(cond: Any, root: Any = PO) -> bool:
    model = s.MappingSpec.model_validate(
        {"type": "mapping", "emit": [{"type": "event", "event": "OrderPlaced", "when": cond, "data": {}}]}
    )
    return runtimes.holds(model.emit[0].when, root, CTX)  # type: ignore[arg-type,union-attr]


def apply(emit: list[Any], payload: Any = PO, ctx: Context = CTX) -> Mapped | Quarantined:
    spec = s.MappingSpec.model_validate({"type": "mapping", "emit": emit})
    outcome = runtimes.mapping(spec).apply(payload, ctx)
    assert not isinstance(outcome, Quarantined) or outcome.reason, outcome
    return outcome  # type: ignore[return-value]


def test_every_path_flattens_nested_arrays() -> None:
    assert value("$.lines[*].statuses[*].status") == ["Shipped", "Cancelled", "Shipped", "Shipped"]
    assert value("$.lines[*].sku") == ["A", "B", "C"]
    assert value("$.lines[*].nothing") == []


SHIPPED = {"type": "equals", "from": "@.status", "value": "Shipped"}


def test_one_shipment_per_tracking_number_with_the_units_shipped_under_it() -> None:
    outcome = apply(
        [
            {
                "type": "foreach",
                "from": "$.lines[*].statuses",
                "as": ["line", "unit"],
                "when": SHIPPED,
                "key": "@.tracking.number",
                "distinct": True,
                "emit": [
                    {
                        "type": "event",
                        "event": "OrderShipped",
                        "data": {
                            "channel": "walmart",
                            "order_id": "$.purchaseOrderId",
                            "occurred_at": {
                                "type": "timestamp",
                                "from": "@.tracking.at",
                                "format": "epoch_ms",
                            },
                            "shipment": {
                                "type": "object",
                                "fields": {"tracking_number": "@unit.tracking.number"},
                            },
                            "lines": {
                                "type": "list",
                                "from": "$.lines[*].statuses",
                                "as": "line",
                                "where": {
                                    "type": "all",
                                    "of": [
                                        SHIPPED,
                                        {
                                            "type": "same",
                                            "of": ["@.tracking.number", "@unit.tracking.number"],
                                        },
                                    ],
                                },
                                "item": {
                                    "type": "object",
                                    "fields": {
                                        "line_id": "@line.lineNumber",
                                        "sku": "@line.sku",
                                        "quantity": {"type": "int", "from": "@.qty"},
                                    },
                                },
                            },
                        },
                    }
                ],
            }
        ]
    )
    assert isinstance(outcome, Mapped)
    shipped = [d.data.model_dump(mode="json") for d in outcome.drafts]
    assert [d["shipment"]["tracking_number"] for d in shipped] == ["T1", "T2"]
    assert shipped[0]["lines"] == [
        {"line_id": "1", "sku": "A", "quantity": 1},
        {"line_id": "2", "sku": "B", "quantity": 1},
    ]
    assert shipped[1]["lines"] == [{"line_id": "3", "sku": "C", "quantity": 3}]
    assert shipped[1]["occurred_at"] == "2019-09-14T13:50:00+00:00"
    assert [d.local_id for d in outcome.drafts] == ["0[T1]0.0", "0[T2]0.0"]


def test_without_distinct_a_repeated_key_still_quarantines() -> None:
    emit = {
        "type": "event",
        "event": "OrderPlaced",
        "data": {"channel": "w", "order_id": "P1", "occurred_at": {"type": "context", "name": "received_at"}},
    }
    outcome = runtimes.mapping(
        s.MappingSpec.model_validate(
            {
                "type": "mapping",
                "emit": [
                    {
                        "type": "foreach",
                        "from": "$.lines[*].statuses",
                        "when": SHIPPED,
                        "key": "@.tracking.number",
                        "emit": [emit],
                    }
                ],
            }
        ),
        Path("."),
    ).apply(PO, Context("w", received_at=datetime(2024, 1, 1, tzinfo=UTC)))
    assert isinstance(outcome, Quarantined)
    assert outcome.reason == "foreach keys repeat (0[T1]0.0): events need unique keys"


def test_sums_are_exact_money_in_one_currency() -> None:
    total = {
        "type": "sum",
        "from": ["$.lines[*].charges[*].amount", "$.lines[*].charges[*].tax"],
        "amount": "@.amount",
        "currency": "@.currency",
    }
    # 10 + 5.1 + 0.1 + 0.8 as binary floats is 16.000000000000004; JSON numbers arrive as Decimal.
    assert value(total) == {"amount": "16.0", "currency": "USD"}
    assert value({**total, "scale": 2}) == {"amount": "16.00", "currency": "USD"}
    usd, cad = (
        b'{"amount": {"amount": 1, "currency": "USD"}}',
        b'{"amount": {"amount": 1, "currency": "CAD"}}',
    )
    mixed = loads(b'{"lines": [{"charges": [' + usd + b", " + cad + b"]}]}")
    with pytest.raises(MappingError, match=r"several currencies \(CAD, USD\)"):
        value(total, mixed)
    assert value(total, {"lines": []}) is MISSING
    with pytest.raises(MappingError, match="nothing to sum"):
        value({**total, "required": True}, {"lines": []})


def test_first_min_and_max_pick_one_value_from_the_items() -> None:
    cancelled = {
        "type": "some",
        "from": "@.statuses",
        "where": {"type": "equals", "from": "@.status", "value": "Cancelled"},
    }
    assert value({"type": "max", "from": "$.lines", "value": "@.statusDate"}) == 1568466800000
    assert value({"type": "min", "from": "$.lines", "value": "@.statusDate"}) == 1568466647000
    assert (
        value(
            {
                "type": "first",
                "from": "$.lines[*].statuses",
                "where": {"type": "exists", "from": "@.reason"},
                "value": "@.reason",
            }
        )
        == "OUT_OF_STOCK"
    )
    latest_cancel = {"type": "max", "from": "$.lines", "where": cancelled, "value": "@.statusDate"}
    assert (
        value({"type": "timestamp", "format": "epoch_ms", "from": latest_cancel}).isoformat()
        == "2019-09-14T13:10:47+00:00"
    )
    latest = {
        "type": "max",
        "from": "$.lines",
        "value": {"type": "timestamp", "from": "@.statusDate", "format": "epoch_ms"},
    }
    assert value(latest) == datetime(2019, 9, 14, 13, 13, 20, tzinfo=UTC)
    with pytest.raises(MappingError, match="no item to take the max value from"):
        value({**latest_cancel, "where": {"type": "equals", "from": "@.sku", "value": "Z"}, "required": True})


def test_some_same_and_test() -> None:
    created = {
        "type": "some",
        "from": "$.lines[*].statuses",
        "where": {"type": "equals", "from": "@.status", "value": "Created"},
    }
    assert holds({"type": "some", "from": "$.lines[*].statuses", "where": SHIPPED}) is True
    assert holds(created) is False
    assert value({"type": "test", "cond": {"type": "not", "cond": created}}) is True
    assert holds({"type": "same", "of": ["$.lines[0].sku", "A"]}) is True
    # Two absent values are not "the same": grouping never pairs items that both lack the key.
    assert holds({"type": "same", "of": ["$.nothing", "$.nowhere"]}) is False


def test_as_names_are_checked_against_the_levels_of_from() -> None:
    with pytest.raises(ValidationError, match=r"`as` names 3 levels but \$.lines\[\*\].statuses has 2"):
        s.ListExpr.model_validate(
            {"type": "list", "from": "$.lines[*].statuses", "as": ["a", "b", "c"], "item": "@"}
        )
    with pytest.raises(MappingError) as unbound:
        value({"type": "list", "from": "$.lines", "item": "@nope.sku"})
    assert unbound.value.describe() == "no enclosing `as:` names an item @nope at @nope.sku in $.lines[0]"


def test_context_received_at_is_missing_unless_intake_gives_it() -> None:
    when = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    expr = {"type": "context", "name": "received_at"}
    assert value(expr) is MISSING
    model = s.MappingSpec.model_validate(
        {"type": "mapping", "emit": [{"type": "event", "event": "OrderPlaced", "data": {"x": expr}}]}
    )
    got = runtimes.value(model.emit[0].data["x"], PO, Context("w", received_at=when))  # type: ignore[union-attr]
    assert got == when


# Walmart's OFFER_UNPUBLISHED keys its reasons by code: statusChangeReasons {code: description}.
OFFER = loads(
    b"""{"itemId": "771087594", "statusChangeReasons": {"REASONABLE_PRICE_NOT_SATISFIED":
    "Reasonable price requirements are not met", "LISTING_QUALITY": "Images missing"},
    "fees": {"commission": {"amount": "1.50", "currency": "USD"},
             "shipping": {"amount": "0.25", "currency": "USD"}}}"""
)


def test_the_entries_of_an_object_are_items_in_the_payloads_order() -> None:
    listed = {
        "type": "list",
        "from": "$.statusChangeReasons",
        "entries": True,
        "item": {
            "type": "format",
            "template": "{code}: {text}",
            "args": {"code": "@.key", "text": "@.value"},
        },
    }
    assert value(listed, OFFER) == [
        "REASONABLE_PRICE_NOT_SATISFIED: Reasonable price requirements are not met",
        "LISTING_QUALITY: Images missing",
    ]
    fees = {
        "type": "sum",
        "from": "$.fees",
        "entries": True,
        "amount": "@.value.amount",
        "currency": "@.value.currency",
    }
    assert value(fees, OFFER) == {"amount": "1.75", "currency": "USD"}
    assert value(dict(listed, **{"from": "$.nothing"}), OFFER) is MISSING
    quality = {"type": "equals", "from": "@.key", "value": "LISTING_QUALITY"}
    assert holds({"type": "some", "from": "$.statusChangeReasons", "entries": True, "where": quality}, OFFER)
    assert not holds({"type": "some", "from": "$.fees", "entries": True, "where": quality}, OFFER)
    assert (
        value({"type": "max", "from": "$.fees", "entries": True, "value": "@.value.amount"}, OFFER) == "1.50"
    )
    with pytest.raises(MappingError, match=r"expected an object for its entries, found str at \$\.itemId"):
        value(dict(listed, **{"from": "$.itemId"}), OFFER)


def test_foreach_over_entries_keys_each_event_by_its_entry() -> None:
    outcome = apply(
        [
            {
                "type": "foreach",
                "from": "$.statusChangeReasons",
                "entries": True,
                "as": "reason",
                "key": "@.key",
                "emit": [
                    {
                        "type": "event",
                        "event": "ListingStatusChanged",
                        "data": {
                            "channel": "walmart",
                            "listing_id": "$.itemId",
                            "status": "inactive",
                            "channel_status": "@reason.key",
                            "reasons": {"type": "array", "of": ["@reason.value"]},
                            "occurred_at": {"type": "context", "name": "received_at"},
                        },
                    }
                ],
            }
        ],
        OFFER,
        Context("walmart", received_at=datetime(2026, 1, 1, tzinfo=UTC)),
    )
    assert isinstance(outcome, Mapped)
    assert [d.local_id for d in outcome.drafts] == [
        "0[REASONABLE_PRICE_NOT_SATISFIED]0.0",
        "0[LISTING_QUALITY]0.0",
    ]
    assert [d.json["reasons"] for d in outcome.drafts] == [
        ["Reasonable price requirements are not met"],
        ["Images missing"],
    ]
