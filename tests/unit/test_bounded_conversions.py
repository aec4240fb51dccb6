"""Values beyond the bounds of hub/mapping/limits.py quarantine the payload with a reason naming the field
and the bound; they never escape as another exception (which failed every delivery of an intake batch)."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pytest

from hub.jsonio import loads
from hub.mapping import limits
from hub.mapping.errors import MappingError
from hub.mapping.result import Mapped, Quarantined
from hub.project import Project, load_project
from tests.support.paths import REPO

TIKTOK_WEBHOOK = loads((REPO / "connectors/tiktok/samples/webhook-1-ORDER_STATUS_CHANGE.json").read_bytes())
AMAZON_ORDER = loads((REPO / "connectors/amazon/samples/orders-getOrder-response.json").read_bytes())[
    "payload"
]


@pytest.fixture(scope="module")
def project() -> Project:
    return Project.load(REPO)


def tiktok(project: Project, **data: Any) -> Quarantined:
    payload = copy.deepcopy(TIKTOK_WEBHOOK)
    payload["data"].update(data)
    outcome = project.normalize("tiktok", payload)
    assert isinstance(outcome, Quarantined), outcome
    return outcome


def test_the_sample_itself_maps(project: Project) -> None:
    assert isinstance(project.normalize("tiktok", copy.deepcopy(TIKTOK_WEBHOOK)), Mapped)


def test_an_epoch_beyond_year_9999_is_a_reason_not_an_overflow(project: Project) -> None:
    body = orjson.dumps(TIKTOK_WEBHOOK).replace(b'"update_time":1644412885', b'"update_time":1e17')
    outcome = project.normalize("tiktok", loads(body))
    assert isinstance(outcome, Quarantined)
    assert outcome.reason == "timestamp outside the years 1 to 9999 at $.data.update_time"
    # The same as an integer, which takes the generated code's fast path.
    assert tiktok(project, update_time=10**17).reason == outcome.reason
    assert tiktok(project, update_time=-(10**12)).reason == outcome.reason


def test_integers_beyond_forty_digits_are_refused_where_they_become_text(project: Project) -> None:
    huge = 10**4300  # one digit beyond what Python itself writes as text
    outcome = tiktok(project, order_id=huge)
    assert outcome.reason == f"integer of more than {limits.MAX_INT_DIGITS} digits at $.data.order_id"
    assert tiktok(project, order_status=huge).reason.startswith("integer of more than 40 digits")
    fine = copy.deepcopy(TIKTOK_WEBHOOK)
    fine["data"]["order_id"] = 10**39  # 40 digits
    assert isinstance(project.normalize("tiktok", fine), Mapped)


def test_an_integer_beyond_the_bound_inside_a_list_where_a_value_is_matched(project: Project) -> None:
    """A list is never a key of the status table, but matching it writes it out as text first (found by
    the fuzz test, shrunk to this)."""
    outcome = tiktok(project, order_status=[10**4301])
    assert outcome.reason.startswith(f"integer of more than {limits.MAX_INT_DIGITS} digits")
    assert "the hub failed" not in outcome.reason


def test_a_money_amount_with_a_huge_exponent_is_refused_without_writing_it_out(project: Project) -> None:
    payload = copy.deepcopy(AMAZON_ORDER)
    payload["OrderStatus"] = "Unshipped"
    payload["OrderTotal"] = {"Amount": "1E+10000000", "CurrencyCode": "USD"}
    outcome = project.normalize("amazon", payload, route="orders_v0_order")
    assert isinstance(outcome, Quarantined)
    assert outcome.reason == "decimal exponent beyond ±40 at $.OrderTotal.Amount"
    assert outcome.detail["value"] == "1.000000E+10000000"
    payload["OrderTotal"]["Amount"] = "1" * 41
    outcome = project.normalize("amazon", payload, route="orders_v0_order")
    assert isinstance(outcome, Quarantined)
    assert outcome.reason == "decimal of more than 40 digits at $.OrderTotal.Amount"


def test_a_payload_nested_too_deep_is_refused_where_it_first_is(project: Project) -> None:
    deep: Any = "x"
    for _ in range(limits.MAX_DEPTH):
        deep = {"k": deep}
    outcome = tiktok(project, extra=deep)
    assert outcome.reason.startswith(
        f"payload nests deeper than {limits.MAX_DEPTH} levels at $.data.extra.k.k"
    )
    within = copy.deepcopy(TIKTOK_WEBHOOK)
    within["data"]["extra"] = deep["k"]["k"]  # the payload's own two levels above it
    assert isinstance(project.normalize("tiktok", within), Mapped)


@pytest.mark.parametrize("levels", [limits.MAX_DEPTH - 1, limits.MAX_DEPTH, limits.MAX_DEPTH + 1])
def test_the_depth_bound_holds_with_a_value_orjson_cannot_write(levels: int) -> None:
    """orjson's encoder checks the bound; a value it refuses (a 65-bit integer) takes the walk instead."""
    for leaf in ("x", 2**70):
        payload: Any = leaf
        for _ in range(levels):
            payload = [payload]
        if levels <= limits.MAX_DEPTH:
            limits.check_depth(payload)
        else:
            with pytest.raises(MappingError, match="nests deeper"):
                limits.check_depth(payload)


def test_an_event_string_beyond_the_text_bound_names_the_field(project: Project) -> None:
    outcome = tiktok(project, order_id="7" * (limits.MAX_TEXT + 1))
    assert outcome.reason == (
        f"output does not match OrderPlaced: order_id: longer than {limits.MAX_TEXT} characters"
    )


def test_long_values_are_cut_in_the_reason_and_detail(project: Project) -> None:
    outcome = tiktok(project, order_status="Z" * 100_000)
    assert len(outcome.reason) < 1_000
    assert outcome.reason.startswith("unknown value 'ZZZ")
    assert "characters)" in outcome.reason
    assert len(str(outcome.detail["value"])) < 1_000


def test_a_format_naming_a_missing_argument_is_a_lint_error_not_a_runtime_one(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "connectors" / "shop").mkdir(parents=True)
    (project / "mappings" / "shop").mkdir(parents=True)
    (project / "connectors" / "shop" / "connector.yaml").write_text(
        "type: connector\nname: shop\ntitle: Shop\nrouting: {type: field, from: $.kind, routes: {o: order}}\n"
    )
    (project / "mappings" / "shop" / "order.yaml").write_text(
        "type: mapping\nemit:\n  - type: event\n    event: OrderPlaced\n    data:\n"
        "      channel: shop\n      order_id:\n        type: format\n        template: '{id}-{shop}'\n"
        "        args: {id: $.id}\n      occurred_at: {type: context, name: received_at}\n"
    )
    _, issues = load_project(project)
    (issue,) = issues
    assert (issue.file.name, issue.line, issue.path) == ("order.yaml", 7, "emit[0].data.order_id")
    assert "template names {shop}, which args does not give (args: id)" in issue.message


def test_decimal_arithmetic_keeps_every_digit_within_the_bounds(project: Project) -> None:
    payload = copy.deepcopy(AMAZON_ORDER)
    payload["OrderStatus"] = "Unshipped"
    amount = "9" * 30 + ".123456789"  # 39 digits: more than the default context's 28
    payload["OrderTotal"] = {"Amount": amount, "CurrencyCode": "USD"}
    outcome = project.normalize("amazon", payload, route="orders_v0_order")
    assert isinstance(outcome, Mapped)
    assert outcome.drafts[0].json["total"] == {"amount": amount, "currency": "USD"}
    assert Decimal(amount).adjusted() == 29
