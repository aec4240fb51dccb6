"""Recognise what a payload is (a webhook body, a queue message, a list or single-record API response) by
the connector's `shapes`, and take its records out. Pull streams read a page's records the same way."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from hub.connectors.spec import CatalogEntry, Shape
from hub.mapping.codegen import compile_test
from hub.mapping.context import Context
from hub.mapping.errors import MappingError
from hub.mapping.paths import MISSING, compile_path


@dataclass(frozen=True, slots=True)
class Target:
    """Where a shape's records go: a mapping, a deliberate ignore, or (both None) the field routing."""

    route: str | None = None
    ignore: str | None = None


@dataclass(frozen=True, slots=True)
class Records:
    shape: str
    target: Target
    # (label, record): the label says where the record sits, e.g. "$.payload.Orders[2]".
    items: list[tuple[str, Any]]


Split = Callable[[Any], Records | None]


class NoShape(MappingError):
    pass


def shape_targets(shapes: Sequence[Shape], catalog: Sequence[CatalogEntry]) -> dict[str, Target]:
    """The target of each shape that operation entries name (they agree: loading the project checks it)."""
    targets: dict[str, Target] = {}
    for entry in catalog:
        if entry.kind == "operation" and entry.shape is not None and entry.shape not in targets:
            targets[entry.shape] = Target(entry.route, None if entry.route else entry.ignore)
    return {s.name: targets.get(s.name, Target()) for s in shapes}


def compile_shapes(connector: str, shapes: Sequence[Shape], catalog: Sequence[CatalogEntry]) -> Split:
    """A function giving a payload's shape and records; None when the connector declares no shapes (then
    the payload is one record, routed by `routing`). A payload matching no shape raises NoShape."""
    if not shapes:
        return lambda payload: None
    targets = shape_targets(shapes, catalog)
    compiled = [
        (s.name, s.records, compile_test(s.match), compile_path(s.records) if s.records else None)
        for s in shapes
    ]
    names = [s.name for s in shapes]
    ctx = Context(connector)

    def split(payload: Any) -> Records:
        for name, at, recognised, records in compiled:
            if not recognised(payload, ctx):
                continue
            if records is None:
                return Records(name, targets[name], [("$", payload)])
            found = records(payload, payload)
            if found is MISSING or found is None:
                raise MappingError(f"{name}: the records path finds nothing", at=at)
            if isinstance(found, list):
                return Records(name, targets[name], [(f"{at}[{i}]", r) for i, r in enumerate(found)])
            return Records(name, targets[name], [(str(at), found)])
        raise NoShape(f"matches no known shape (tried: {', '.join(names)})")

    return split
