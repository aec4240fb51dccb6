"""The generated code of a mapping means what the closures of values.py mean: same events, same local ids,
same quarantine and ignore reasons; the JSON form of a draft is what pydantic dumps."""

from __future__ import annotations

import inspect
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

import orjson
import pytest

from hub import golden
from hub.mapping import codegen, drafts
from hub.mapping.result import Ignored, Mapped, Outcome, Quarantined
from hub.project import Project
from tests.unit import test_mapping_branching, test_mapping_items, test_value_primitives

ROOT = Path(__file__).resolve().parents[2]


def _summary(outcome: Outcome) -> Any:
    if isinstance(outcome, Mapped):
        return ("mapped", outcome.mapping, [(d.local_id, d.event, d.json) for d in outcome.drafts])
    if isinstance(outcome, Quarantined):
        return ("quarantined", outcome.mapping, outcome.reason, outcome.detail)
    assert isinstance(outcome, Ignored)
    return ("ignored", outcome.mapping, outcome.reason)


def _closures_only(project: Project) -> Project:
    for connector in project.connectors.values():
        for name, mapping in list(connector.mappings.items()):
            connector.mappings[name] = replace(mapping, function=None)
    return project


def test_generated_mappings_agree_with_the_closures_on_every_golden_case() -> None:
    generated, closures = Project.load(ROOT), _closures_only(Project.load(ROOT))
    cases = golden.load_cases(ROOT)
    assert len(cases) > 100
    for case in cases:
        assert _summary(golden.run(generated, case)) == _summary(golden.run(closures, case)), case.id


def test_the_fast_json_form_is_what_pydantic_dumps(monkeypatch: pytest.MonkeyPatch) -> None:
    project = Project.load(ROOT)
    fast = {case.id: golden.run(project, case) for case in golden.load_cases(ROOT)}

    class Never:
        def __call__(self, fields: dict[str, Any]) -> None:
            return None

    monkeypatch.setattr(drafts, "json_form", lambda model: Never())
    checked = 0
    for case in golden.load_cases(ROOT):
        slow = golden.run(project, case)
        assert _summary(fast[case.id]) == _summary(slow), case.id
        if isinstance(slow, Mapped):
            for a, b in zip(fast[case.id].drafts, slow.drafts, strict=True):  # type: ignore[union-attr]
                assert orjson.dumps(a.json) == orjson.dumps(b.json)
                assert a.data == b.data
                checked += 1
    assert checked > 100


def _rerun(module: ModuleType, fixtures: dict[str, Any]) -> int:
    ran = 0
    for name, test in inspect.getmembers(module, inspect.isfunction):
        if name.startswith("test_") and test.__module__ == module.__name__:
            test(**{p: fixtures[p] for p in inspect.signature(test).parameters})
            ran += 1
    return ran


def test_the_primitive_tests_pass_on_generated_code(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The unit tests of the primitives call values.compile_expr/compile_condition; run them again with
    the generated code in their place."""
    for module in (test_value_primitives, test_mapping_items, test_mapping_branching):
        monkeypatch.setattr(module, "compile_expr", codegen.compile_value, raising=False)
        monkeypatch.setattr(module, "compile_condition", codegen.compile_test, raising=False)
        assert _rerun(module, {"monkeypatch": monkeypatch, "tmp_path": tmp_path}) > 0
