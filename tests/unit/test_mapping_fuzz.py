"""Mapping never raises, on payloads nobody wrote by hand.

Hypothesis sends `Project.normalize` arbitrary JSON-ish values and mutations of the payloads every golden
case builds from the samples in connectors/*/samples (types swapped, numbers huge, negative, fractional or
not numbers at all, strings in other scripts or very long, fields removed, deep nesting). Invariants: the
outcome is Mapped, Quarantined or Ignored; no quarantine reason is the safety net's ("the hub failed on
this payload"), so every failure has its own reason; and the differential oracle (tests/mapping_oracle)
comes to the same outcome."""

from __future__ import annotations

import copy
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub import golden
from hub.mapping.result import Ignored, Mapped, Outcome, Quarantined
from hub.preview import as_intake_would
from hub.project import Project
from tests.unit.test_mapping_oracle import PROJECTS, oracle_of, summary

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@cache
def projects(root: Path = PROJECTS[0]) -> tuple[Project, Project]:
    hub = Project.load(root)
    return hub, oracle_of(hub)


@cache
def seeds() -> list[tuple[Path, golden.Case, Any]]:
    return [(root, case, golden.build_input(case)) for root in PROJECTS for case in golden.load_cases(root)]


def deep(levels: int) -> Any:
    value: Any = "bottom"
    for i in range(levels):
        value = [value] if i % 2 else {"a": value}
    return value


HOSTILE = st.one_of(
    st.sampled_from(
        [
            None,
            True,
            0,
            -1,
            10**17,
            -(10**40),
            Decimal("1E+10000000"),
            Decimal("1e17"),
            Decimal("-0.5"),
            Decimal("0E-1000000"),
            Decimal("NaN"),
            Decimal("-Infinity"),
            float("nan"),
            float("inf"),
            1.5,
            "",
            "1e17",
            "9" * 5000,
            "x" * 70_000,
            "0001-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-01:00",
            "注文",
            "طلب",
            "é",
            "\u0000",
            {},
            [],
            [None],
            {"Amount": "1E+10000000", "CurrencyCode": "USD"},
            deep(300),
            deep(60),
        ]
    ),
    st.builds(pow, st.just(10), st.just(4301)),  # beyond Python's own limit for writing an int as text
    st.integers(),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
)

JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.decimals() | st.floats() | st.text(max_size=20) | HOSTILE,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=25,
)


def places(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every location in a payload: object keys and array indexes."""
    found = [at]
    if isinstance(value, dict):
        for key, inner in value.items():
            found += places(inner, (*at, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += places(inner, (*at, index))
    return found


def mutated(payload: Any, at: tuple[Any, ...], replacement: Any, remove: bool) -> Any:
    if not at:
        return replacement
    parent = payload
    for step in at[:-1]:
        parent = parent[step]
    if remove and isinstance(parent, dict):
        del parent[at[-1]]
    else:
        parent[at[-1]] = replacement
    return payload


def normalize(project: Project, case: golden.Case, payload: Any) -> Outcome:
    spec = case.spec["input"]
    route = None if spec.get("routed") else spec.get("route", case.mapping)
    if spec.get("headers"):  # a live delivery's headers: routed, identified and kept as intake does
        delivery = as_intake_would(
            project,
            case.connector,
            payload,
            b"",
            route=route,
            account=spec.get("account"),
            headers=spec["headers"],
        )
        return delivery.normalize(project)
    return project.normalize(case.connector, payload, account=spec.get("account"), route=route)


def assert_handled(outcome: Outcome) -> None:
    assert isinstance(outcome, Mapped | Quarantined | Ignored)
    if isinstance(outcome, Quarantined):
        assert "the hub failed on this payload" not in outcome.reason, outcome.reason


@FUZZ
@given(st.data())
def test_mutated_samples_map_or_quarantine_and_the_oracle_agrees(data: st.DataObject) -> None:
    root, case, seed = data.draw(st.sampled_from(seeds()), label="case")
    hub, oracle = projects(root)
    payload = copy.deepcopy(seed)
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        at = data.draw(st.sampled_from(places(payload)), label="at")
        value = copy.deepcopy(data.draw(HOSTILE, label="value"))
        payload = mutated(payload, at, value, data.draw(st.booleans(), label="remove"))
    mine = normalize(hub, case, payload)
    assert_handled(mine)
    assert summary(mine) == summary(normalize(oracle, case, copy.deepcopy(payload))), case.id


@FUZZ
@given(st.data(), JSONISH)
def test_any_json_ish_payload_maps_or_quarantines(data: st.DataObject, payload: Any) -> None:
    hub, _ = projects()
    connector = data.draw(st.sampled_from(sorted(hub.connectors)))
    routes = [None, *sorted(hub.connectors[connector].mappings)]
    route = data.draw(st.sampled_from(routes))
    assert_handled(hub.normalize(connector, payload, route=route))
