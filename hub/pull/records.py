"""Where a page keeps its records and which mapping they go through: the connector's `shapes` (one
records path per answer shape) and the catalog's operation entry naming the shape, declared once and
read by `hub map`, re-normalization and the pull streams alike."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from hub.connectors.shapes import shape_targets
from hub.connectors.spec import ConnectorSpec
from hub.mapping.paths import MISSING, compile_path


@dataclass(frozen=True, slots=True)
class PageShape:
    records: str
    route: str


def page_shape(spec: ConnectorSpec, shape: str, route: str | None) -> PageShape:
    """The records path of `shape` and the route of its records (`route` overrides the catalog's)."""
    found = next((s for s in spec.shapes if s.name == shape), None)
    if found is None:
        raise ValueError(
            f"names no shape {shape!r} under shapes (known: {', '.join(s.name for s in spec.shapes)})"
        )
    if found.records is None:
        raise ValueError(f"shape {shape!r} has no records path")
    chosen = route or shape_targets(spec.shapes, spec.catalog)[shape].route
    if chosen is None:
        raise ValueError(f"no catalog operation routes shape {shape!r}: give a route")
    return PageShape(found.records, chosen)


@cache
def _getter(path: str) -> Any:
    return compile_path(path)


def records_of(page: Any, path: str) -> list[dict[str, Any]]:
    found = _getter(path)(page, page)
    if found is MISSING or found is None:
        return []
    if isinstance(found, dict):  # a single-record answer
        return [found]
    if not isinstance(found, list):
        raise ValueError(f"{path} is neither a list nor an object in the answer")
    return [r for r in found if isinstance(r, dict)]


def field_of(record: Any, path: str) -> Any:
    value = _getter(path)(record, record)
    return None if value is MISSING else value
