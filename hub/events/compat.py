"""Can a reader built on the new JSON Schema of an event read every event written under an older one?

That is BACKWARD compatibility; checked against every committed version of the same major, it is
BACKWARD_TRANSITIVE. It is decidable here because our events have closed content models
(`additionalProperties: false` on every object): an old event carries exactly the fields its schema
names, so adding an optional field is safe and removing one is not. Compatible: adding an optional
field, adding an enum value, loosening a constraint, making a field optional, editing descriptions.
Everything else needs a new major version and an upcaster (hub/events/upcasters.py).
"""

from __future__ import annotations

from typing import Any

_LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems")  # the new may not rise
_UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems")  # the new may not fall
_EXACT = ("pattern", "format")  # the new may drop them, not add or change them


class _Schemas:
    def __init__(self, old_root: dict[str, Any], new_root: dict[str, Any]) -> None:
        self.old_root, self.new_root = old_root, new_root


def _resolve(node: Any, root: dict[str, Any]) -> Any:
    seen = 0
    while isinstance(node, dict) and "$ref" in node and seen < 32:
        target: Any = root
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node, seen = target, seen + 1
    return node


def _alternatives(node: Any, root: dict[str, Any]) -> list[Any]:
    node = _resolve(node, root)
    for key in ("anyOf", "oneOf"):
        if isinstance(node, dict) and key in node:
            return [alt for option in node[key] for alt in _alternatives(option, root)]
    return [node]


def _kinds(node: Any) -> set[str]:
    """The JSON types a node accepts; "any" when it does not say."""
    if node is True or node == {}:
        return {"any"}
    if not isinstance(node, dict):
        return set()
    kind = node.get("type")
    if kind is None:
        if "enum" in node or "const" in node:
            values = node.get("enum", [node.get("const")])
            return {_json_type(v) for v in values}
        return {"any"}
    kinds = {kind} if isinstance(kind, str) else set(kind)
    if "number" in kinds:
        kinds.add("integer")
    return kinds


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object" if isinstance(value, dict) else "any"


def _label(kinds: set[str]) -> str:
    return " or ".join(sorted(kinds - {"integer"} if "number" in kinds else kinds))


def backward_problems(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What stops a reader of `new` from reading events valid under `old`; empty when nothing does."""
    return _compare(old, new, _Schemas(old, new), "$")


def _compare(old: Any, new: Any, roots: _Schemas, path: str) -> list[str]:
    old_alts = _alternatives(old, roots.old_root)
    new_alts = _alternatives(new, roots.new_root)
    problems: list[str] = []
    for alt in old_alts:
        fitting = [n for n in new_alts if _kinds(alt) <= _kinds(n) or "any" in _kinds(n)]
        if not fitting:
            old_kinds = set().union(*map(_kinds, old_alts))
            new_kinds = set().union(*map(_kinds, new_alts))
            return [f"{path}: type changed from {_label(old_kinds)} to {_label(new_kinds)}"]
        # An old alternative is fine if one new alternative takes all of it.
        found: list[list[str]] = [_compare_one(alt, n, roots, path) for n in fitting]
        problems.extend(sorted(found, key=len)[0])
    return problems


def _compare_one(old: Any, new: Any, roots: _Schemas, path: str) -> list[str]:
    if new is True or new == {} or old is False:
        return []
    if not isinstance(old, dict) or not isinstance(new, dict):
        return [] if old == new else [f"{path}: schema changed"]
    problems = _values(old, new, path) + _bounds(old, new, path)
    if "object" in _kinds(new) and ("properties" in new or "properties" in old):
        problems += _object(old, new, roots, path)
    if "items" in old or "items" in new:
        problems += _compare(old.get("items", {}), new.get("items", {}), roots, f"{path}[]")
    return problems


def _values(old: dict[str, Any], new: dict[str, Any], path: str) -> list[str]:
    allowed = new.get("enum", [new["const"]] if "const" in new else None)
    if allowed is None:
        return []
    before = old.get("enum", [old["const"]] if "const" in old else None)
    if before is None:
        return [f"{path}: values now limited to {allowed!r}"]
    removed = [v for v in before if v not in allowed]
    return [f"{path}: enum value(s) removed: {removed}"] if removed else []


def _bounds(old: dict[str, Any], new: dict[str, Any], path: str) -> list[str]:
    problems = []
    for key in _LOWER_BOUNDS:
        if key in new and (key not in old or new[key] > old[key]):
            problems.append(f"{path}: {key} raised from {old.get(key)!r} to {new[key]!r}")
    for key in _UPPER_BOUNDS:
        if key in new and (key not in old or new[key] < old[key]):
            problems.append(f"{path}: {key} lowered from {old.get(key)!r} to {new[key]!r}")
    for key in _EXACT:
        if key in new and new[key] != old.get(key):
            problems.append(f"{path}: {key} changed from {old.get(key)!r} to {new[key]!r}")
    return problems


def _object(old: dict[str, Any], new: dict[str, Any], roots: _Schemas, path: str) -> list[str]:
    problems = []
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    old_req, new_req = set(old.get("required", [])), set(new.get("required", []))
    old_closed = old.get("additionalProperties") is False
    new_extra = new.get("additionalProperties", True)
    if not old_closed and new_extra is False:
        problems.append(f"{path}: content model closed; old events may carry fields it refuses")
    for name in sorted(new_req - old_req):
        if name in old_props:
            problems.append(f"{path}.{name}: changed from optional to required")
        else:
            problems.append(f"{path}.{name}: new field is required (old events lack it)")
    for name, prop in old_props.items():
        if name in new_props:
            problems += _compare(prop, new_props[name], roots, f"{path}.{name}")
        elif new_extra is False:
            problems.append(f"{path}.{name}: field removed")
        elif isinstance(new_extra, dict):
            problems += _compare(prop, new_extra, roots, f"{path}.{name}")
    if not old_closed:
        for name in new_props:
            if name not in old_props and "any" not in _kinds(new_props[name]):
                problems.append(f"{path}.{name}: field added to an open model (old events may hold it)")
    return problems


def open_models(schema: dict[str, Any]) -> list[str]:
    """Objects in `schema` whose content model is not closed (no `additionalProperties: false`)."""
    found: list[str] = []
    _walk_open(schema, schema, "$", found, set())
    return found


def _walk_open(node: Any, root: dict[str, Any], path: str, found: list[str], seen: set[str]) -> None:
    if isinstance(node, dict) and "$ref" in node:
        if node["$ref"] in seen:
            return
        seen = seen | {node["$ref"]}
    node = _resolve(node, root)
    if not isinstance(node, dict):
        return
    for key in ("anyOf", "oneOf", "allOf"):
        for option in node.get(key, []):
            _walk_open(option, root, path, found, seen)
    if "properties" in node and node.get("additionalProperties") is not False:
        found.append(f"{path}: open content model (add additionalProperties: false)")
    for name, prop in node.get("properties", {}).items():
        _walk_open(prop, root, f"{path}.{name}", found, seen)
    if "items" in node:
        _walk_open(node["items"], root, f"{path}[]", found, seen)
