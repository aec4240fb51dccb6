"""A hub project: the connectors and mappings under one folder, validated and compiled."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from hub.connector import Connector as Connector  # re-exported: intake and tests name it from here
from hub.connectors.api_lint import api_issues
from hub.connectors.catalog_rules import catalog_issues
from hub.connectors.envelopes import (
    compile_envelopes,
    compile_envelopes_with_headers,
)
from hub.connectors.routing import STORED_VALUE, compile_lookup
from hub.connectors.shapes import compile_shapes
from hub.connectors.sources import Headers, compile_source
from hub.connectors.spec import ConnectorSpec
from hub.domain.policy import InventoryPolicy
from hub.formats import Issue, dotted, unique
from hub.mapping.compiler import CompiledMapping, compile_mapping, unexpected
from hub.mapping.context import Context
from hub.mapping.errors import MappingError
from hub.mapping.limits import check_depth
from hub.mapping.parts import Parts, problems
from hub.mapping.result import Ignored, Outcome, Quarantined
from hub.mapping.spec import MappingSpec
from hub.outcomes import combine
from hub.project_files import ProjectInvalid as ProjectInvalid
from hub.project_files import (
    connector_folders,
    credential_issues,
    parse_model,
    read_document,
    read_inventory_policy,
)
from hub.project_files import connector_specs as connector_specs  # re-exported: the Dagster location reads it
from hub.project_files import (
    inventory_policy as inventory_policy,  # re-exported: the CLI and services read it
)
from hub.project_routes import apply_route, looked_up, record_outcome, routed
from hub.yamlpos import Located

log = logging.getLogger(__name__)


@dataclass
class Project:
    root: Path
    connectors: dict[str, Connector] = field(default_factory=dict)
    inventory: InventoryPolicy = field(default_factory=InventoryPolicy)  # the project's inventory.yaml
    # Connectors whose `enrich` fetches can run (an API account has its secrets): their thin payloads
    # are deferred to the fetch. Elsewhere (no credentials, `hub map`, golden cases) they map as they are.
    enrichable: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, root: Path, only: Sequence[str] | None = None) -> Project:
        project, issues = load_project(root, only)
        if issues:
            raise ProjectInvalid(issues)
        return project

    def connector(self, name: str) -> Connector:
        try:
            return self.connectors[name]
        except KeyError:
            raise KeyError(
                f"unknown connector {name!r}; known: {', '.join(sorted(self.connectors))}"
            ) from None

    def normalize(
        self,
        connector: str,
        payload: Any,
        *,
        account: str | None = None,
        route: str | None = None,
        received_at: datetime | None = None,
        headers: Headers | None = None,
    ) -> Outcome:
        """Map one payload: recognise its shape, route each record, check it, map it, validate the drafts.
        A list response gives the events of every record; one record that fails quarantines the payload
        whole, naming the record. `headers` are the delivery's (those intake keeps). Pure: no I/O."""
        return combine(
            self.normalize_each(
                connector, payload, account=account, route=route, received_at=received_at, headers=headers
            )
        )

    def normalize_each(
        self,
        connector: str,
        payload: Any,
        *,
        account: str | None = None,
        route: str | None = None,
        received_at: datetime | None = None,
        headers: Headers | None = None,
    ) -> list[tuple[str, Outcome]]:
        """Each record's outcome, labelled with where the record sits in the payload. `route` maps the
        whole payload with that mapping (a pulled record whose stream knows its route)."""
        c = self.connector(connector)
        try:
            check_depth(payload)
            payload, recorded = c.unwrap_headers(payload)
        except MappingError as exc:
            return [("$", Quarantined(None, exc.summary(), exc.detail()))]
        # A recorded delivery's own headers, else the delivery's.
        headers = recorded if recorded is not None else headers
        ctx = Context(connector, account, route, received_at, headers)
        if route is not None and route.startswith(STORED_VALUE):
            return [("$", looked_up(c, route[len(STORED_VALUE) :], payload, ctx))]
        if route is not None:
            return [("$", apply_route(c, route, payload, ctx))]
        try:
            found = c.split(payload)
        except MappingError as exc:
            return [("$", Quarantined(None, exc.summary(), exc.detail()))]
        except Exception as exc:  # a gap in the bounds of hub/mapping/limits.py
            log.exception("recognising a %s payload failed unexpectedly", connector)
            return [("$", Quarantined(None, unexpected(exc)))]
        enrich = connector in self.enrichable
        if found is None:
            return [("$", routed(c, payload, ctx, enrich))]
        if not found.items:
            return [("$", Ignored(None, f"{found.shape}: the response holds no records"))]
        return [(label, record_outcome(c, found, record, ctx, enrich)) for label, record in found.items]


def _read_mappings(mapping_dir: Path, issues: list[Issue]) -> dict[str, tuple[Path, Located, MappingSpec]]:
    specs: dict[str, tuple[Path, Located, MappingSpec]] = {}
    for file in sorted(mapping_dir.glob("*.yaml")):
        doc = read_document(file, "mapping", issues)
        spec: MappingSpec | None = parse_model(MappingSpec, doc, file, issues) if doc else None
        if spec is not None and doc is not None:
            specs[file.stem] = (file, doc, spec)
    return specs


def _compile_mappings(
    read: dict[str, tuple[Path, Located, MappingSpec]], parts: Parts, issues: list[Issue]
) -> dict[str, CompiledMapping]:
    """Compile each mapping, after its includes and lookups are checked against the connector's parts."""
    mappings: dict[str, CompiledMapping] = {}
    for name, (file, doc, spec) in read.items():
        found = problems(name, spec, parts)
        for problem in found:
            loc = problem.loc
            issues.append(Issue(file, doc.line_of(loc), dotted(loc), problem.message, problem.known))
        if found:
            continue
        try:
            mappings[name] = compile_mapping(name, file, spec, parts.folder, parts)
        except (OSError, ValueError) as exc:
            issues.append(Issue(file, doc.line_of(("input", "schema")), "input.schema", str(exc)))
    return mappings


def _load_connector(folder: Path, issues: list[Issue]) -> Connector | None:
    path = folder / "connector.yaml"
    mapping_dir = folder.parent.parent / "mappings" / folder.name
    read = _read_mappings(mapping_dir, issues)
    doc = read_document(path, "connector", issues)
    spec: ConnectorSpec | None = parse_model(ConnectorSpec, doc, path, issues) if doc else None
    # Mappings are checked even when the connector file is broken: lint reports everything at once.
    tables = spec.lookups if spec is not None else {}
    files = frozenset(p.stem for p in mapping_dir.glob("*.yaml"))
    parts = Parts({name: entry[2] for name, entry in read.items()}, tables, folder, files)
    mappings = _compile_mappings(read, parts, issues)
    if spec is None or doc is None:
        return None
    if spec.name != folder.name:
        issues.append(
            Issue(path, doc.line_of(("name",)), "name", f"must equal the folder name {folder.name!r}")
        )
        return None
    known = set(mappings) | {p.stem for p in mapping_dir.glob("*.yaml")}
    issues.extend(catalog_issues(spec, doc, path, known))
    for value, target in spec.routing.routes.items():
        if target not in mappings and not (mapping_dir / f"{target}.yaml").exists():
            issues.append(
                Issue(
                    path,
                    doc.line_of(("routing", "routes", value)),
                    f"routing.routes.{value}",
                    f"no mapping file mappings/{spec.name}/{target}.yaml",
                    tuple(sorted(mappings)),
                )
            )
    issues.extend(credential_issues(spec, doc, path))
    issues.extend(api_issues(spec, doc, path, known))
    return Connector(
        spec=spec,
        folder=folder,
        mappings=mappings,
        routing_value=compile_source(spec.routing.from_),
        unwrap=compile_envelopes(spec.name, spec.envelopes),
        unwrap_headers=compile_envelopes_with_headers(spec.name, spec.envelopes),
        lookup=compile_lookup(spec.routing, spec.catalog),
        enrich_keys={route: compile_source(fetch.key) for route, fetch in spec.enrich.items()},
        split=compile_shapes(spec.name, spec.shapes, spec.catalog),
        parts=parts,
    )


def load_project(root: Path, only: Sequence[str] | None = None) -> tuple[Project, list[Issue]]:
    issues: list[Issue] = []
    project = Project(root)
    for folder in connector_folders(root, only, issues):
        connector = _load_connector(folder, issues)
        if connector is not None:
            project.connectors[connector.name] = connector
    project.inventory = read_inventory_policy(root, issues)
    return project, unique(issues)
