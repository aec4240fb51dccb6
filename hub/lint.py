"""`hub lint`: every problem in a project's YAML, found before anything runs.

Beyond the formats (hub/formats.py) and what loading a project checks (routes, schemas, compiling):
- paths and tables against the marketplace's JSON Schema (hub/lint_paths.py)
- `data` keys against the event model's fields (hub/lint_fields.py)
- golden tests: present for every mapping, expected events valid (hub/lint_golden.py)
- consumer groups: `consumers/*.yaml` against their format, their topics and event types, and their
  Python handlers importable (hub/consumers/declared.py)
- request headers a mapping reads: the connector receives them, and none carries its secret
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from hub.consumers.declared import declaration_files, load_file
from hub.formats import Issue, dotted, unique
from hub.lint_fields import field_issues
from hub.lint_golden import golden_issues
from hub.lint_paths import check_mapping
from hub.mapping.spec import HeaderExpr, MappingSpec
from hub.mapping.walk import walk
from hub.project import Connector, Project, load_project
from hub.yamlpos import Located, load


def _mapping_issues(project: Project) -> list[Issue]:
    issues: list[Issue] = []
    for connector in project.connectors.values():
        for mapping in connector.mappings.values():
            doc = load(mapping.source.read_text())
            try:
                spec = MappingSpec.model_validate(doc.data)
            except ValidationError:
                continue  # loading the project reported it
            issues += field_issues(mapping.source, doc, spec)
            issues += _header_issues(connector, mapping.source, doc, spec)
            try:
                issues += check_mapping(mapping.source, doc, spec, connector.folder)
            except (OSError, ValueError, KeyError) as exc:
                issues.append(
                    Issue(mapping.source, doc.line_of(("input", "schema")), "input.schema", str(exc))
                )
    return issues


def consumer_issues(root: Path) -> tuple[int, list[Issue]]:
    """How many consumer group files there are (the hub's and the project's), and their problems. Secrets
    are only named here: their values are looked for when a group runs."""
    files = declaration_files(root)
    issues = [issue for path in files for issue in load_file(path, {})[1]]
    return len(files), issues


def _header_issues(connector: Connector, file: Path, doc: Located, spec: MappingSpec) -> list[Issue]:
    reads = [(loc, node) for loc, node in walk(spec).parts if isinstance(node, HeaderExpr)]
    receives = connector.webhook is not None or any(e.headers for e in connector.spec.envelopes)
    secret = (connector.secret_header or "").lower()
    issues = []
    for loc, node in reads:
        at = (*loc, "name")
        if node.name.lower() == secret:
            message = f"{node.name} carries the connector's signature or token: it is never kept nor mapped"
        elif not receives:
            message = f"{node.name}: {connector.name} has no webhook intake and no envelope with headers"
        else:
            continue
        issues.append(Issue(file, doc.line_of(at), dotted(at), message))
    return issues


def lint(root: Path) -> tuple[Project, list[Issue]]:
    project, issues = load_project(root)
    issues += _mapping_issues(project)
    issues += golden_issues(project)
    issues += consumer_issues(root)[1]
    return project, unique(issues)
