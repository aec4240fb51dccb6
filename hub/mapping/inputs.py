"""Check a payload against the marketplace's own JSON Schema before mapping it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema_rs

from hub.mapping import spec as s
from hub.mapping.errors import MappingError

InputCheck = Callable[[Any], None]


def load_schema(path: Path) -> dict[str, Any]:
    with path.open() as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema


def resolve_schema(connector_dir: Path, ref: str) -> dict[str, Any]:
    """The schema named by `file.json` or `file.json#/json/pointer`, relative to the connector's folder.

    A pointer picks one definition of a bigger schema (one order of a response schema); the document's
    `definitions`, `$defs` and `$schema` come along so the definition's own references still resolve.
    """
    file, _, pointer = ref.partition("#")
    document = load_schema((connector_dir / file).resolve())
    if not pointer.strip("/"):
        return document
    node: Any = document
    for raw in pointer.strip("/").split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            raise ValueError(f"{ref}: the schema has nothing at #{pointer}")
        node = node[part]
    if not isinstance(node, dict):
        raise ValueError(f"{ref}: #{pointer} is not a schema object")
    carried = {k: document[k] for k in ("$schema", "definitions", "$defs") if k in document and k not in node}
    return {**carried, **node}


def compile_input(spec: s.InputSpec, connector_dir: Path) -> InputCheck:
    assert spec.schema_ is not None
    validator = jsonschema_rs.validator_for(resolve_schema(connector_dir, spec.schema_))
    lenient = [tuple(p.strip("/").split("/")) for p in spec.lenient]
    name = spec.schema_

    def tolerated(schema_path: list[str | int]) -> bool:
        # A lenient entry names the schema location of a known contradiction; the error may sit deeper.
        parts = tuple(str(p) for p in schema_path)
        return any(parts[: len(prefix)] == prefix for prefix in lenient)

    def check(payload: Any) -> None:
        if validator.is_valid(payload):
            return
        for error in validator.iter_errors(payload):
            if tolerated(list(error.schema_path)):
                continue
            at = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.instance_path)
            raise MappingError(f"payload does not match {name}: {error.message}", at=at)

    return check
