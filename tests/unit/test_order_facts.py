"""Order events carry what their payload knows of the order, with money exact: an amount sent as a JSON
number is read from its text, whatever its scale, and keeps its currency."""

from __future__ import annotations

import json
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.jsonio import loads
from hub.mapping.result import Ignored, Mapped, Quarantined
from hub.outcomes import combine
from hub.project import Project
from tests.support.paths import REPO

PROJECT = Project.load(REPO)
PO = json.loads((REPO / "connectors/walmart/samples/orders-getAnOrder-response.json").read_text())


@settings(max_examples=60, deadline=None)
@given(
    amount=st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-(10**9), max_value=10**9)
)
def test_a_json_number_amount_is_converted_exactly_from_its_text(amount: Decimal) -> None:
    text = format(amount, "f")
    po = json.loads(json.dumps(PO))
    charge = po["order"]["orderLines"]["orderLine"][0]["charges"]["charge"][0]
    charge["chargeAmount"]["amount"] = "AMOUNT"
    charge["tax"]["taxAmount"]["amount"] = 0
    body = json.dumps(po).replace('"AMOUNT"', text).encode()
    outcome = PROJECT.normalize("walmart", loads(body))
    assert isinstance(outcome, Mapped)
    for draft in outcome.drafts:
        assert Decimal(draft.json["total"]["amount"]) == Decimal(text)
        assert draft.json["total"]["currency"] == "USD"


def test_every_event_of_a_pulled_shipped_order_carries_its_lines_and_total() -> None:
    page = loads(
        (REPO / "connectors/amazon/samples/orders-2026-01-01-searchOrders-response.json").read_bytes()
    )
    outcome = PROJECT.normalize("amazon", page)
    assert isinstance(outcome, Mapped)
    order = page["orders"][0]
    for draft in outcome.drafts:
        assert draft.json["total"] == {
            "amount": order["proceeds"]["grandTotal"]["amount"],
            "currency": order["proceeds"]["grandTotal"]["currencyCode"],
        }
        assert [line["sku"] for line in draft.json["order_lines"]] == [
            item["product"]["sellerSku"] for item in order["orderItems"]
        ]
        assert draft.json["marketplace_id"] == order["salesChannel"]["marketplaceId"]


def test_one_bad_record_quarantines_the_page_naming_it() -> None:
    page = loads((REPO / "connectors/walmart/samples/orders-getAllOrders-response.json").read_bytes())
    page["list"]["elements"]["order"][3]["orderLines"]["orderLine"][0]["orderLineStatuses"][
        "orderLineStatus"
    ][0]["status"] = "Lost"
    outcome = PROJECT.normalize("walmart", page)
    assert isinstance(outcome, Quarantined)
    assert outcome.reason.startswith("record $.list.elements.order[3]: ")
    each = PROJECT.normalize_each("walmart", page)
    assert [isinstance(o, Quarantined) for _, o in each].count(True) == 1
    assert sum(isinstance(o, Mapped) for _, o in each) == 9


def test_records_of_one_page_never_share_an_event_id() -> None:
    page = loads((REPO / "connectors/walmart/samples/orders-getAllOrders-response.json").read_bytes())
    outcome = PROJECT.normalize("walmart", page)
    assert isinstance(outcome, Mapped)
    ids = [d.local_id for d in outcome.drafts]
    assert len(ids) == len(set(ids))


def test_combining_keeps_a_single_record_as_it_was() -> None:
    ignored = Ignored(None, "why")
    assert combine([("$", ignored)]) is ignored
    assert combine([("$[0]", ignored), ("$[1]", Ignored(None, "other"))]) == Ignored(None, "other; why")


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=8)
    | st.decimals(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
# Keys every shape looks at, so the fuzzer reaches the records paths and the routers, not only "no shape".
shape_keys = st.sampled_from(
    [
        "NotificationType",
        "payload",
        "orders",
        "order",
        "errors",
        "source",
        "list",
        "returnOrders",
        "data",
        "type",
    ]
)


@settings(max_examples=150, deadline=None)
@given(payload=st.dictionaries(shape_keys, json_values, max_size=3) | json_values)
def test_any_payload_gets_an_outcome_never_an_exception(payload: object) -> None:
    for connector in PROJECT.connectors:
        outcome = PROJECT.normalize(connector, payload)
        assert isinstance(outcome, Mapped | Quarantined | Ignored)
