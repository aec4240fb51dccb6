"""Rows looked up by a two-column key, as statements both databases answer from the key's index.

`(a, b) IN ((..), (..))` is a full scan on SQLite (its planner takes no index for a row-value list), so a
lookup that grows with the table would slow every batch as the table grows. `a = ? AND b IN (...)` per
value of `a` uses the primary key on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import groupby

from sqlalchemy import ColumnElement, and_

CHUNK = 500  # values per IN list: well under SQLite's bound-parameter limit


def pairs_in(
    first: ColumnElement[str], second: ColumnElement[str], pairs: Iterable[tuple[str, str]]
) -> Iterator[ColumnElement[bool]]:
    """WHERE clauses that together select exactly `pairs`, each usable on its own statement."""
    for value, group in groupby(sorted(set(pairs)), key=lambda pair: pair[0]):
        seconds = [b for _, b in group]
        for start in range(0, len(seconds), CHUNK):
            yield and_(first == value, second.in_(seconds[start : start + CHUNK]))
