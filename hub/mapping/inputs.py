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


_SIBLINGS_IGNORED = ("draft-04", "draft-06", "draft-07")


def load_schema(path: Path) -> dict[str, Any]:
    with path.open() as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema


def pointed(schema: dict[str, Any], pointer: str) -> Any:
    """The node a JSON pointer (`/properties/list/items`) names; KeyError when there is none."""
    node: Any = schema
    for raw in pointer.split("/")[1:] if pointer else []:
        part = raw.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def record_schema(connector_dir: Path, reference: str) -> tuple[dict[str, Any], str]:
    """The schema file a mapping names, and the pointer to the part describing one record ("" = all).

    With a pointer the whole file stays the validation root, so its own `$ref`s still resolve: a `$ref`
    to the pointer replaces the root's keywords, which drafts 04 to 07 ignore beside a `$ref`.
    """
    file, _, pointer = reference.partition("#")
    schema = load_schema((connector_dir / file).resolve())
    if not pointer:
        return schema, ""
    try:
        pointed(schema, pointer)
    except (KeyError, IndexError, ValueError, TypeError):
        raise ValueError(f"{reference}: the pointer names nothing in {file}") from None
    if not any(d in str(schema.get("$schema", "")) for d in _SIBLINGS_IGNORED):
        raise ValueError(f"{reference}: a pointer needs a draft-04, -06 or -07 schema ($schema)")
    return {**schema, "$ref": f"#{pointer}"}, pointer


def compile_input(spec: s.InputSpec, connector_dir: Path) -> InputCheck:
    assert spec.schema_ is not None
    schema, _ = record_schema(connector_dir, spec.schema_)
    validator = jsonschema_rs.validator_for(schema)
    lenient = [tuple(p.strip("/").split("/")) for p in spec.lenient]
    name = spec.schema_

    def tolerated(schema_path: list[str | int]) -> bool:
        # A lenient entry names the schema location of a known contradiction (a location in the file, also
        # under a pointer); the error may sit deeper.
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
