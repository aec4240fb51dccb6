"""Is a new version of an event's JSON Schema compatible with the committed one?

Events live in a log that is replayed, so both directions matter: consumers built on the old schema
read new events, and consumers built on the new schema read old events. Compatible: adding an
optional field, adding an enum value, editing descriptions. Everything else needs a new version.
"""

from __future__ import annotations

from typing import Any

_CONSTRAINTS = (
    "pattern", "format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    "minLength", "maxLength", "minItems", "maxItems", "const", "additionalProperties",
)  # fmt: skip


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


def _kind(node: Any) -> str:
    if not isinstance(node, dict):
        return repr(node)
    kind = node.get("type", "any")
    return kind if isinstance(kind, str) else "|".join(sorted(kind))


def breaking_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return _compare(old, new, old, new, "$")


def _compare(old: Any, new: Any, old_root: dict[str, Any], new_root: dict[str, Any], path: str) -> list[str]:
    old_alts, new_alts = _alternatives(old, old_root), _alternatives(new, new_root)
    old_kinds, new_kinds = sorted(map(_kind, old_alts)), sorted(map(_kind, new_alts))
    if old_kinds != new_kinds:
        return [f"{path}: type changed from {' or '.join(old_kinds)} to {' or '.join(new_kinds)}"]
    if len(old_alts) > 1:
        problems = []
        for o in old_alts:
            match = next(n for n in new_alts if _kind(n) == _kind(o))
            problems += _compare(o, match, old_root, new_root, path)
        return problems
    return _compare_one(old_alts[0], new_alts[0], old_root, new_root, path)


def _compare_one(
    old: Any, new: Any, old_root: dict[str, Any], new_root: dict[str, Any], path: str
) -> list[str]:
    if not isinstance(old, dict) or not isinstance(new, dict):
        return [] if old == new else [f"{path}: schema changed"]
    problems = []
    for key in _CONSTRAINTS:
        if old.get(key) != new.get(key) and not isinstance(old.get(key), dict):
            problems.append(f"{path}: {key} changed from {old.get(key)!r} to {new.get(key)!r}")
    if "enum" in old or "enum" in new:
        removed = [v for v in old.get("enum", []) if v not in new.get("enum", [])]
        if removed or ("enum" in new and "enum" not in old):
            problems.append(f"{path}: enum value(s) removed: {removed}")
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    old_req, new_req = set(old.get("required", [])), set(new.get("required", []))
    for name in old_props:
        if name not in new_props:
            problems.append(f"{path}.{name}: field removed")
    for name in new_props:
        if name not in old_props and name in new_req:
            problems.append(f"{path}.{name}: new field is required (old events lack it)")
    for name in sorted((old_req ^ new_req) & set(old_props) & set(new_props)):
        was = "required" if name in old_req else "optional"
        now = "required" if name in new_req else "optional"
        problems.append(f"{path}.{name}: changed from {was} to {now}")
    for name in old_props:
        if name in new_props:
            problems += _compare(old_props[name], new_props[name], old_root, new_root, f"{path}.{name}")
    if "items" in old or "items" in new:
        problems += _compare(old.get("items", {}), new.get("items", {}), old_root, new_root, f"{path}[]")
    return problems
