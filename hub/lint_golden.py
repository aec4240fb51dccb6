"""`hub lint` over the golden tests: every file follows the golden-test format
(hub/schemas/golden.schema.json), every mapping has cases, every case file belongs to a mapping, and
every expected event validates against its exported JSON Schema (hub/schemas/events/), the fields the
domain fills in aside."""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from hub.events.catalog import EVENT_TYPES
from hub.events.schemas import schema_file
from hub.formats import Issue, check_document, dotted
from hub.mapping.parts import included
from hub.project import Project
from hub.yamlpos import Located, load


@cache
def _validator(event_type: str) -> Draft202012Validator:
    cls = EVENT_TYPES[event_type]
    schema = json.loads(schema_file(cls).read_text())
    # A golden case holds the mapping's draft: domain-owned fields are null until the domain fills them.
    schema["required"] = [f for f in schema.get("required", []) if f not in cls.DOMAIN_FIELDS]
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _event_issues(file: Path, case: int, index: int, event: Any, line_of: Any) -> list[Issue]:
    loc: tuple[str | int, ...] = ("cases", case, "expect", "events", index)
    kind = event.get("type") if isinstance(event, dict) else None
    if kind not in EVENT_TYPES:
        return [
            Issue(
                file,
                line_of((*loc, "type")),
                dotted((*loc, "type")),
                f"unknown event type {kind!r}",
                tuple(EVENT_TYPES),
            )
        ]
    data = dict(event.get("data") or {})
    for name in EVENT_TYPES[kind].DOMAIN_FIELDS:
        if data.get(name) is None:
            data.pop(name, None)
    issues = []
    for error in _validator(kind).iter_errors(data):
        at = (*loc, "data", *error.absolute_path)
        known = tuple(str(v) for v in error.schema.get("enum", [])) if isinstance(error.schema, dict) else ()
        message = f"expected {kind} does not match its schema: {error.message}"
        issues.append(Issue(file, line_of(at), dotted(at), message, known))
    return issues


def _as_json(value: Any) -> Any:
    """YAML reads an unquoted ISO time as a datetime: the format holds it as the text it is."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    return value


def format_issues(file: Path) -> list[Issue]:
    try:
        doc = load(file.read_text())
    except Exception as exc:  # a YAML syntax error
        mark = getattr(exc, "problem_mark", None)
        return [Issue(file, (mark.line + 1) if mark else 1, "", f"not valid YAML: {exc}")]
    return check_document("golden", Located(_as_json(doc.data), doc.lines, doc.problems), file)


def golden_issues(project: Project) -> list[Issue]:
    issues: list[Issue] = []
    for name, connector in project.connectors.items():
        tests = project.root / "mappings" / name / "tests"
        broken = set()
        for file in sorted(tests.glob("*.yaml")):
            found = format_issues(file)
            issues += found
            if found:
                broken.add(file)
        includers = included(connector.parts)
        for mapping in connector.mappings.values():
            file = tests / f"{mapping.name}.yaml"
            if file in broken or (not file.exists() and mapping.name in includers):
                continue  # a mapping only included is tested through the mappings that include it
            doc = load(file.read_text()) if file.exists() else None
            cases = (doc.data or {}).get("cases") if doc is not None and isinstance(doc.data, dict) else None
            if not cases:
                issues.append(
                    Issue(
                        mapping.source,
                        1,
                        "",
                        f"no golden tests: add cases to mappings/{name}/tests/{mapping.name}.yaml",
                    )
                )
                continue
            assert doc is not None
            for case, spec in enumerate(cases):
                events = ((spec or {}).get("expect") or {}).get("events") or []
                for index, event in enumerate(events):
                    issues += _event_issues(file, case, index, event, doc.line_of)
        for file in sorted(tests.glob("*.yaml")):
            if file not in broken and file.stem not in connector.mappings and not _all_routed(file):
                message = (
                    f"golden tests for mappings/{name}/{file.stem}.yaml, which does not exist "
                    "(a file testing the connector's routing needs `routed: true` in every case)"
                )
                issues.append(Issue(file, 1, "", message, tuple(sorted(connector.mappings))))
    return issues


def _all_routed(file: Path) -> bool:
    """A golden file that tests the connector's routing (every case routed by the payload) belongs to no
    single mapping."""
    data = load(file.read_text()).data
    cases = data.get("cases") if isinstance(data, dict) else None
    if not isinstance(cases, list) or not cases:
        return False
    return all(((c or {}).get("input") or {}).get("routed") is True for c in cases)
