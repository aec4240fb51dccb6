"""Every bundled connector routes by a payload field: routed values reach their mapping, values that
carry no commerce fact are ignored with their reason, and anything else is quarantined with the known
values, never dropped."""

from __future__ import annotations

from typing import Any

import pytest

from hub.connectors.routing import routing_table
from hub.mapping.paths import parse
from hub.mapping.result import Ignored, Mapped, Quarantined
from hub.mapping.spec import CoalesceExpr
from hub.project import Project
from tests.support.paths import REPO

PROJECT = Project.load(REPO)
TABLES = {name: routing_table(c.spec.routing, c.spec.catalog) for name, c in PROJECT.connectors.items()}
IGNORED = [(name, value, why) for name, (_, ignore) in TABLES.items() for value, why in ignore.items()]


def payload_with(connector: str, value: Any) -> dict[str, Any]:
    """A minimal payload carrying `value` where the connector's routing reads it."""
    routing_from = PROJECT.connector(connector).spec.routing.from_
    if isinstance(routing_from, CoalesceExpr):  # Amazon: NotificationType, or camelCase in newer types
        routing_from = routing_from.of[0]
    assert isinstance(routing_from, str), "bundled connectors route by a path"
    _, segments = parse(routing_from)
    payload: dict[str, Any] = {}
    target = payload
    for seg in segments[:-1]:
        target = target.setdefault(str(seg), {})
    target[str(segments[-1])] = value
    return payload


@pytest.mark.parametrize(("connector", "value", "why"), IGNORED, ids=[f"{c}:{v}" for c, v, _ in IGNORED])
def test_ignored_values_say_why(connector: str, value: str, why: str) -> None:
    raw: Any = int(value) if value.isdigit() else value  # TikTok's type is a JSON number
    outcome = PROJECT.normalize(connector, payload_with(connector, raw))
    assert outcome == Ignored(None, f"{value}: {why}")


@pytest.mark.parametrize("connector", sorted(PROJECT.connectors))
def test_an_unrouted_value_is_quarantined_with_the_known_ones(connector: str) -> None:
    outcome = PROJECT.normalize(connector, payload_with(connector, "NOT_A_REAL_TYPE"))
    assert isinstance(outcome, Quarantined)
    routes, ignore = TABLES[connector]
    assert outcome.reason.startswith("no route for 'NOT_A_REAL_TYPE' at ")
    assert outcome.detail["known"] == [*routes, *ignore]


def test_tiktok_types_route_as_numbers_and_strings() -> None:
    sample = {
        "type": 5,
        "shop_id": "1",
        "data": {"product_id": 1, "status": "PRODUCT_FIRST_PASS_REVIEW", "update_time": 0},
    }
    assert isinstance(PROJECT.normalize("tiktok", sample), Mapped)
    assert isinstance(PROJECT.normalize("tiktok", {**sample, "type": "5"}), Mapped)
