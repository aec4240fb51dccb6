"""Hostile neighbours of real payloads, as Hypothesis strategies: every JSON sample under
connectors/*/samples/ (globbed: a connector or sample added later is fuzzed too), mutated at any of its
paths; and arbitrary JSON, written with the tokens a hostile sender uses (NaN, 1E+10000000, 5,000 digits,
lone surrogates, nesting thousands deep) that no Python value serializes to."""

from __future__ import annotations

import copy
import json
import os
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.support.paths import REPO

# Bounded by default (CI runs these on every change); HUB_FUZZ_EXAMPLES=2000 for a thorough run.
FUZZ = settings(
    max_examples=int(os.environ.get("HUB_FUZZ_EXAMPLES", "40")),
    deadline=None,  # a group commit's fsync is not the code's speed
    print_blob=True,  # a failure prints the @reproduce_failure blob that replays it
    # One store per test, shared by its examples on purpose: rows pile up as they would in production.
    # One suite subclassed per backend: the same test runs from two classes, by design.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.differing_executors,
    ],
)


class Raw(str):
    """A JSON token written as it is."""


def _load_samples() -> list[tuple[str, str, Any]]:
    found = []
    for path in sorted(REPO.glob("connectors/*/samples/*.json")):
        connector = path.parent.parent.name
        found.append((connector, path.name, json.loads(path.read_text(), parse_float=Decimal)))
    return found


SAMPLES = _load_samples()
CONNECTORS = sorted({c for c, _, _ in SAMPLES})


def dumps(value: Any) -> bytes:
    """JSON text of `value`, Raw tokens as they are; strings as UTF-8 unless they hold a lone surrogate
    (then as the \\uXXXX escape JSON allows and UTF-8 cannot carry)."""
    return _text(value).encode()


def _text(value: Any) -> str:
    if isinstance(value, Raw):
        return str(value)
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, float):
        return json.dumps(value)
    if isinstance(value, str):
        try:
            value.encode()
            return json.dumps(value, ensure_ascii=False)
        except UnicodeEncodeError:
            return json.dumps(value)
    if isinstance(value, list):
        return "[" + ",".join(_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{_text(str(k))}:{_text(v)}" for k, v in value.items()) + "}"
    raise TypeError(type(value))


# -- odd values

SCRIPTS = st.characters(
    codec="utf-8",
    categories=("L", "M", "N", "P", "S", "Z", "Cf"),  # letters of every script, marks, RTL controls...
)
ODD_STRINGS = st.one_of(
    st.text(SCRIPTS, max_size=40),
    st.text(max_size=20),  # anything, lone surrogates and NUL included
    st.sampled_from(["", " ", "\x00", "\ud800", "null", "NaN", "1e17", "-0", "2024-13-45T99:99:99Z"]),
    st.integers(256, 20_000).map(lambda n: "x" * n),  # longer than any column
    st.integers(1, 600).map(lambda n: "é" * n),
)
BIG_NUMBERS = st.one_of(
    st.integers(19, 5000).map(lambda n: Raw("9" * n)),
    st.integers(19, 5000).map(lambda n: Raw("-" + "9" * n)),
    st.sampled_from(
        [
            "1E+10000000",
            "-1E+10000000",
            "1E-10000000",
            "1e17",
            "1e400",
            "-1e400",
            "NaN",
            "Infinity",
            "-Infinity",
            "1.0000000000000000000000000000001",
            "-0.0",
            "9223372036854775808",
            "18446744073709551616",
            "100000000000000000",
        ]
    ).map(Raw),
)
NUMBERS = st.one_of(
    st.integers(),
    st.integers(-(2**70), 2**70),
    st.decimals(allow_nan=False, allow_infinity=False),
    BIG_NUMBERS,
)
DEEP = st.integers(2, 3000).flatmap(
    lambda n: st.sampled_from([Raw("[" * n + "]" * n), Raw('{"a":' * n + "1" + "}" * n)])
)
LEAVES = st.one_of(st.none(), st.booleans(), NUMBERS, ODD_STRINGS)
JSON_VALUES = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
# st.builds, not st.just: a mutation writes into what it places, and a shared {} would carry one example's
# keys into the next, even into itself.
ODD_VALUES = st.one_of(LEAVES, JSON_VALUES, DEEP, st.builds(list), st.builds(dict))


# -- mutations of samples


def paths_of(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found.extend(paths_of(child, (*prefix, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.extend(paths_of(child, (*prefix, index)))
    return found


def _holds(parent: Any, step: Any) -> bool:
    if isinstance(parent, dict):
        return step in parent
    return isinstance(parent, list) and isinstance(step, int) and step < len(parent)


def _apply(doc: Any, mutation: tuple[str, tuple[Any, ...], Any]) -> Any:
    op, path, value = mutation
    if not path:
        return value if op == "replace" else doc
    parent = doc
    for step in path[:-1]:
        if not _holds(parent, step):
            return doc  # an earlier mutation removed or replaced this branch
        parent = parent[step]
    last = path[-1]
    if isinstance(parent, dict):
        if op == "delete":
            parent.pop(last, None)
        elif op == "wrap" and last in parent:
            parent[last] = [parent[last]] if isinstance(value, list) else {"value": parent[last]}
        else:
            parent[last] = value
    elif isinstance(parent, list) and isinstance(last, int) and last < len(parent):
        if op == "delete":
            del parent[last]
        else:
            parent[last] = value
    return doc


@st.composite
def mutated_samples(draw: st.DrawFn, connectors: list[str] | None = None) -> tuple[str, str, bytes]:
    """(connector, sample name, body): a real sample with one to four values swapped for odd ones,
    removed or wrapped."""
    pool = [s for s in SAMPLES if connectors is None or s[0] in connectors]
    connector, name, sample = draw(st.sampled_from(pool))
    doc = copy.deepcopy(sample)
    paths = paths_of(sample)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["replace", "replace", "replace", "delete", "wrap"]))
        doc = _apply(doc, (op, draw(st.sampled_from(paths)), copy.deepcopy(draw(ODD_VALUES))))
    return connector, name, dumps(doc)
