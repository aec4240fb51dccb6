"""Every golden case beside every mapping in the repository, one pytest test each."""

from __future__ import annotations

import pytest

from hub import golden
from hub.mapping.parts import included
from hub.project import Project
from tests.support.paths import REPO

PROJECT = Project.load(REPO)
CASES = golden.load_cases(REPO)


def test_every_mapping_has_golden_cases() -> None:
    """Its own, or (a mapping only included by others, walmart's purchase_order) its includers'."""
    tested = {(c.connector, c.mapping) for c in CASES}
    for name, connector in PROJECT.connectors.items():
        for part, includers in included(connector.parts).items():
            if any((name, m) in tested for m in includers):
                tested.add((name, part))
    mappings = {(name, m) for name, c in PROJECT.connectors.items() for m in c.mappings}
    assert mappings <= tested, f"mappings without golden cases: {sorted(mappings - tested)}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_golden_case(case: golden.Case) -> None:
    problems = golden.check(PROJECT, case)
    assert not problems, "\n".join(problems)
