"""Every golden case beside every mapping in the repository, one pytest test each."""

from __future__ import annotations

import pytest

from hub import golden
from hub.project import Project
from tests.support.paths import REPO

PROJECT = Project.load(REPO)
CASES = golden.load_cases(REPO)


def test_every_mapping_has_golden_cases() -> None:
    tested = {(c.connector, c.mapping) for c in CASES}
    mappings = {(name, m) for name, c in PROJECT.connectors.items() for m in c.mappings}
    assert mappings <= tested, f"mappings without golden cases: {sorted(mappings - tested)}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_golden_case(case: golden.Case) -> None:
    problems = golden.check(PROJECT, case)
    assert not problems, "\n".join(problems)
