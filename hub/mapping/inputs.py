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


def compile_input(spec: s.InputSpec, connector_dir: Path) -> InputCheck:
    assert spec.schema_ is not None
    path = (connector_dir / spec.schema_).resolve()
    validator = jsonschema_rs.validator_for(load_schema(path))
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
