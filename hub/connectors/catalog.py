"""A connector's catalog as a table: each entry, where it goes, and how many golden cases are built from its
real payloads (a case counts for an entry when its input file is one of the entry's samples)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from hub.connectors.shapes import shape_targets
from hub.connectors.spec import CatalogEntry, ConnectorSpec


@dataclass(frozen=True, slots=True)
class Row:
    entry: CatalogEntry
    outcome: str  # "route X", "ignore: why", or "unmapped"
    cases: int


def _case_files(project_root: Path, connector: str) -> list[Path]:
    """The sample file each golden case of the connector starts from (resolved)."""
    files = []
    for test_file in sorted((project_root / "mappings" / connector / "tests").glob("*.yaml")):
        doc = yaml.safe_load(test_file.read_text()) or {}
        for case in doc.get("cases") or []:
            source = ((case or {}).get("input") or {}).get("file")
            if isinstance(source, str):
                files.append((test_file.parent / source).resolve())
    return files


def outcome_of(entry: CatalogEntry, spec: ConnectorSpec) -> str:
    route, ignore = entry.route, entry.ignore
    if entry.shape is not None and route is None and ignore is None:
        target = shape_targets(spec.shapes, spec.catalog).get(entry.shape)
        route, ignore = (target.route, target.ignore) if target else (None, None)
    if route is not None:
        return f"route {route}"
    if ignore is not None:
        return f"ignore: {ignore}"
    return "unmapped"


def catalog_rows(project_root: Path, spec: ConnectorSpec, folder: Path) -> list[Row]:
    cases = _case_files(project_root, spec.name)
    rows = []
    for entry in spec.catalog:
        samples = {(folder / "samples" / s).resolve() for s in entry.samples}
        rows.append(Row(entry, outcome_of(entry, spec), sum(f in samples for f in cases)))
    return rows


def summary(rows: list[Row]) -> dict[str, Any]:
    mapped = sum(r.outcome.startswith("route ") for r in rows)
    ignored = sum(r.outcome.startswith("ignore:") for r in rows)
    return {
        "entries": len(rows),
        "mapped": mapped,
        "ignored": ignored,
        "unmapped": len(rows) - mapped - ignored,
    }
