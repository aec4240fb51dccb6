"""Pydantic's validation errors as places in the YAML document they came from."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

_SHORTHAND_TYPES = {"bool_type", "int_type", "int_parsing", "string_type", "float_type", "none_required"}


def model_errors(exc: ValidationError, data: Any) -> list[tuple[tuple[str | int, ...], str]]:
    """Pydantic's errors as (location in the document, message). Its locations also name the union
    member tried (`tagged-union[...]`, `format`, `str`); those steps are dropped. An expression is a
    scalar shorthand or a typed object: a typed object that fails its own rule also fails every
    shorthand and every other member of the union (a header source's `type: header`), and those
    failures say nothing beside the rule it broke."""
    errors = [
        (_in_document(data, tuple(err["loc"])), err)
        for err in exc.errors()
        if not (err["type"] in _SHORTHAND_TYPES and isinstance(err.get("input"), dict))
    ]
    ruled = [loc for loc, err in errors if err["type"] == "value_error"]
    found: list[tuple[tuple[str | int, ...], str]] = []
    for loc, err in errors:
        other_member = err["type"] in ("literal_error", "extra_forbidden", "missing")
        if other_member and any(r[: len(loc) - 1] == loc[:-1] for r in ruled):
            continue
        message = err["msg"].removeprefix("Value error, ")
        if (loc, message) not in found:
            found.append((loc, message))
    return found


def _in_document(node: Any, steps: tuple[Any, ...]) -> tuple[str | int, ...]:
    """The longest part of a pydantic location that names keys and indexes of the document. A step may
    be both a union tag and a key (`event` tags an emitter, which also has an `event:`), so each is
    tried both ways."""
    if not steps:
        return ()
    step, rest = steps[0], steps[1:]
    skipped = _in_document(node, rest)
    child = _child(node, step)
    if child is _NONE:
        return skipped
    taken = (step, *_in_document(child, rest))
    return taken if len(taken) >= len(skipped) else skipped


_NONE = object()


def _child(node: Any, step: Any) -> Any:
    if isinstance(node, dict) and isinstance(step, str) and step in node:
        return node[step]
    if isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
        return node[step]
    return _NONE
