"""`hub lint`: every problem in a project's YAML, found before anything runs."""

from __future__ import annotations

from pathlib import Path

import yaml

from hub.formats import Issue, unique
from hub.project import Project, load_project


def _golden_issues(project: Project) -> list[Issue]:
    issues = []
    for name, connector in project.connectors.items():
        for mapping in connector.mappings.values():
            tests = project.root / "mappings" / name / "tests" / f"{mapping.name}.yaml"
            cases = (yaml.safe_load(tests.read_text()) or {}).get("cases") if tests.exists() else None
            if not cases:
                issues.append(
                    Issue(
                        mapping.source,
                        1,
                        "",
                        f"no golden tests: add cases to mappings/{name}/tests/{mapping.name}.yaml",
                    )
                )
    return issues


def lint(root: Path) -> tuple[Project, list[Issue]]:
    project, issues = load_project(root)
    issues += _golden_issues(project)
    return project, unique(issues)
