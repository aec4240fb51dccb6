"""A mapping of one record checks it against the part of the marketplace's response schema that
describes a record (`file.json#/pointer`), with `lenient` naming known contradictions in that file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hub.jsonio import loads
from hub.mapping import spec as s
from hub.mapping.errors import MappingError
from hub.mapping.inputs import compile_input
from tests.support.paths import REPO, sample

WALMART = REPO / "connectors" / "walmart"
ORDER = (
    "schemas/orders-getAllOrders-response.json#/properties/list/properties/elements/properties/order/items"
)
RETURN = "schemas/returns-getReturns-response.json#/properties/returnOrders/items"
REFUND_QUANTITY = (
    "/properties/returnOrders/items/properties/returnOrderLines/items/properties/refundChannels/items"
    "/properties/quantity/required"
)


def check(schema: str, lenient: list[str] | None = None) -> object:
    spec = s.InputSpec.model_validate({"schema": schema, "lenient": lenient or []})
    return compile_input(spec, WALMART)


def test_one_order_of_a_page_is_checked_against_the_order_part_of_the_page_schema() -> None:
    page = loads(sample("walmart", "orders-getAllOrders-response.json").read_bytes())
    order = page["list"]["elements"]["order"][0]
    validate = check(ORDER)
    validate(order)  # type: ignore[operator]
    del order["purchaseOrderId"]
    with pytest.raises(MappingError) as missing:
        validate(order)  # type: ignore[operator]
    assert missing.value.describe().endswith('"purchaseOrderId" is a required property at $')
    # The page itself is not an order: the pointer, not the file's root, is what is checked.
    with pytest.raises(MappingError):
        validate(page)  # type: ignore[operator]


def test_lenient_tolerates_only_the_named_contradiction() -> None:
    record = loads(sample("walmart", "returns-getReturns-response.json").read_bytes())["returnOrders"][0]
    with pytest.raises(MappingError) as strict:
        check(RETURN)(record)  # type: ignore[operator]
    assert "unitOfMeasure" in strict.value.describe()
    assert strict.value.at == "$.returnOrderLines[0].refundChannels[0].quantity"
    tolerant = check(RETURN, [REFUND_QUANTITY])
    tolerant(record)  # type: ignore[operator]
    record["returnOrderLines"][0]["quantity"] = {"unitOfMeasure": "EACH"}  # a different required field
    with pytest.raises(MappingError, match="measurementValue"):
        tolerant(record)  # type: ignore[operator]


def test_a_pointer_that_names_nothing_or_a_draft_that_honours_ref_siblings_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="the pointer names nothing"):
        check("schemas/returns-getReturns-response.json#/properties/returnOrder/items")
    modern = {"$schema": "https://json-schema.org/draft/2020-12/schema", "properties": {"a": {}}}
    (tmp_path / "modern.json").write_text(json.dumps(modern))
    spec = s.InputSpec.model_validate({"schema": "modern.json#/properties/a"})
    with pytest.raises(ValueError, match="draft-04, -06 or -07"):
        compile_input(spec, tmp_path)
