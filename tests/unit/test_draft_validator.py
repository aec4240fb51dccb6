"""The one validator of mapped data (hub/mapping/json_form.py): it covers every event model, takes JSON
types as they are (pydantic's strict mode), and names the first field that does not fit."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from hub.events.catalog import EVENT_TYPES
from hub.mapping.drafts import draft_json, draft_model, event_json, json_form
from hub.mapping.errors import MappingError

AT = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
ORDER: dict[str, Any] = {"channel": "shop", "order_id": "A-1", "occurred_at": AT}


@pytest.mark.parametrize("name", sorted(EVENT_TYPES))
def test_every_event_model_has_a_generated_check(name: str) -> None:
    cls = EVENT_TYPES[name]
    assert json_form(cls) is not None
    assert json_form(draft_model(cls)) is not None
    assert json_form(cls, True) is not None


def test_the_json_form_is_what_pydantic_dumps() -> None:
    line = {"line_id": "1", "quantity": 2, "unit_price": {"amount": "1.50", "currency": "USD"}}
    fields = {**ORDER, "lines": [line]}
    expected = EVENT_TYPES["OrderPlaced"].model_validate(fields).model_dump(mode="json")
    assert draft_json("OrderPlaced", fields) == expected


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({**ORDER, "lines": [{"line_id": "1", "quantity": "2"}]}, "lines.0.quantity: expected an integer"),
        (
            {**ORDER, "lines": [{"line_id": "1", "quantity": Decimal(2)}]},
            "lines.0.quantity: expected an integer",
        ),
        ({**ORDER, "lines": [{"line_id": "1", "quantity": -1}]}, "lines.0.quantity: less than 0"),
        ({**ORDER, "lines": [{"quantity": 1}]}, "lines.0.line_id: required"),
        ({**ORDER, "lines": [{"line_id": "1", "quantity": 1, "qty": 1}]}, "lines.0.qty: unknown field"),
        (
            {**ORDER, "occurred_at": datetime(2024, 1, 1)},
            "occurred_at: expected a timestamp with a UTC offset",
        ),
        (
            {**ORDER, "occurred_at": "2024-01-01T00:00:00Z"},
            "occurred_at: expected a timestamp with a UTC offset",
        ),
        ({**ORDER, "fulfilled_by": "robot"}, "fulfilled_by: not one of merchant, channel"),
        ({**ORDER, "total": {"amount": "1.0.0", "currency": "USD"}}, "total.amount: does not match"),
        ({**ORDER, "order_id": 7}, "order_id: expected a string"),
    ],
)
def test_the_first_field_that_does_not_fit_is_named(fields: dict[str, Any], reason: str) -> None:
    with pytest.raises(MappingError) as refused:
        draft_json("OrderPlaced", fields)
    assert refused.value.reason.startswith(f"output does not match OrderPlaced: {reason}")


def test_a_completed_draft_is_checked_from_its_json_form() -> None:
    cls = EVENT_TYPES["InventoryAdjusted"]
    draft = draft_json(
        "InventoryAdjusted", {"reason": "sale", "sku": "S", "location": "L", "occurred_at": AT}
    )
    assert draft["delta"] is None
    full = event_json(cls, {**draft, "delta": -1, "on_hand": 3, "version": 1}, text_times=True)
    assert full == cls.model_validate({**draft, "delta": -1, "on_hand": 3, "version": 1}).model_dump(
        mode="json"
    )
    with pytest.raises(MappingError, match="version: less than 1"):
        event_json(cls, {**draft, "delta": -1, "on_hand": 3, "version": 0}, text_times=True)
