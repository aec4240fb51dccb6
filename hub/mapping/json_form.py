"""The fast way to a draft's JSON form: a check generated from the event model's JSON Schema."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import Any

import jsonschema_rs
from pydantic import BaseModel

from hub.events.base import EventData
from hub.mapping.model_form import ABSENT, PLAIN, Json, JsonForm, model_shape, models_in


class Unsupported(ValueError):
    """A schema keyword the generated check does not know: that model keeps the jsonschema-rs check."""


class _FormWriter:
    """Writes, per model of an event's JSON Schema, one function that checks the mapped fields against
    the schema and returns their JSON form, or None (then the model decides). It takes JSON values of the
    exact types only (str, int, bool, None, dict, list; aware datetimes for date-time strings) and checks
    every keyword the schema uses; a keyword it does not know makes the whole model Unsupported."""

    _KNOWN = {"type", "title", "description", "default", "anyOf", "additionalProperties", "properties"}
    _KNOWN |= {"required", "$ref", "format", "pattern", "minimum", "items", "enum"}
    _KNOWN |= {"$defs", "$schema", "$id", "x-topic", "x-version"}

    def __init__(self, schema: dict[str, Any], defaults: dict[str, dict[str, Any]]) -> None:
        self.schema = schema
        self.defaults = defaults  # model title -> field -> JSON default (absent: required)
        self.ns: dict[str, Any] = {"UTC": UTC, "datetime": datetime, "_ABSENT": ABSENT}
        self.lines: list[str] = []
        self.count = 0
        self.done: set[str] = set()

    def name(self, hint: str) -> str:
        self.count += 1
        return f"{hint}{self.count}"

    def function(self, title: str, node: dict[str, Any]) -> str:
        fn = f"form_{title}"
        if title in self.done:
            return fn
        self.done.add(title)
        unknown = set(node) - self._KNOWN
        if unknown or node.get("type") != "object" or node.get("additionalProperties") is not False:
            raise Unsupported(f"{title}: {sorted(unknown) or 'not a closed object'}")
        body: list[str] = [f"def {fn}(v):", "    if v.__class__ is not dict: return None", "    out = {}"]
        body.append("    n = 0")
        required = set(node.get("required", ()))
        for field, prop in node["properties"].items():
            key = self.const(field)
            body.append(f"    x = v.get({key}, _ABSENT)")
            body.append("    if x is _ABSENT:")
            if field in required:
                body.append("        return None")
            else:
                default = self.defaults[title][field]
                body.append(f"        out[{key}] = {'[]' if default == [] else self.const(default)}")
            body.append("    else:")
            body.append("        n += 1")
            body.extend("        " + line for line in self.value(prop, "x", "y"))
            body.append(f"        out[{key}] = y")
        body.append("    if n != len(v): return None")
        body.append("    return out")
        self.lines.extend(body)
        return fn

    def const(self, value: Any) -> str:
        if value is None or isinstance(value, bool | int | str):
            return repr(value)
        name = self.name("_c")
        self.ns[name] = value
        return name

    def value(self, node: dict[str, Any], x: str, y: str) -> list[str]:
        """Lines checking x against node and setting y to its JSON form (or returning None)."""
        unknown = set(node) - self._KNOWN
        if unknown:
            raise Unsupported(str(sorted(unknown)))
        if "anyOf" in node:
            options = node["anyOf"]
            others = [o for o in options if o != {"type": "null"}]
            if (
                len(options) != 2
                or len(others) != 1
                or set(node) - {"anyOf", "title", "description", "default"}
            ):
                raise Unsupported("anyOf other than one type or null")
            return [
                f"if {x} is None: {y} = None",
                "else:",
                *("    " + line for line in self.value(others[0], x, y)),
            ]
        if "$ref" in node:
            if set(node) - {"$ref", "title", "description", "default"}:
                raise Unsupported("$ref with siblings")
            title = node["$ref"].rsplit("/", 1)[1]
            fn = self.function(title, self.schema["$defs"][title])
            return [f"{y} = {fn}({x})", f"if {y} is None: return None"]
        kind = node.get("type")
        if kind == "string" and node.get("format") == "date-time":
            if set(node) - {"type", "format", "title", "description", "default"}:
                raise Unsupported("date-time with constraints")
            return [
                f"if not isinstance({x}, datetime) or {x}.utcoffset() is None: return None",
                f"{y} = {x}.astimezone(UTC).isoformat()",
            ]
        if "format" in node:
            raise Unsupported(f"format {node['format']}")
        lines = []
        if kind == "string":
            lines.append(f"if {x}.__class__ is not str: return None")
            if "pattern" in node:
                pattern = node["pattern"]
                # JSON Schema patterns are ECMA-262: `$` is the very end, where Python's also allows a
                # final newline before it. Only the simple anchored patterns of the event models are taken.
                if not (pattern.startswith("^") and pattern.endswith("$")) or "\\" in pattern[:-1].replace(
                    "\\.", ""
                ):
                    raise Unsupported(f"pattern {pattern}")
                regex = self.name("_re")
                self.ns[regex] = re.compile(pattern[:-1] + r"\Z")
                lines.append(f"if {regex}.match({x}) is None: return None")
        elif kind == "integer":
            lines.append(f"if {x}.__class__ is not int: return None")
            if "minimum" in node:
                lines.append(f"if {x} < {int(node['minimum'])}: return None")
        elif kind == "boolean":
            lines.append(f"if {x}.__class__ is not bool: return None")
        elif kind == "array":
            if "items" not in node:
                raise Unsupported("array without items")
            item, out = self.name("i"), self.name("a")
            lines += [f"if {x}.__class__ is not list: return None", f"{out} = []", f"for {item} in {x}:"]
            lines += ["    " + line for line in self.value(node["items"], item, item + "_")]
            lines += [f"    {out}.append({item}_)"]
            lines.append(f"{y} = {out}")
            return lines
        else:
            raise Unsupported(f"type {kind}")
        if "minimum" in node and kind != "integer":
            raise Unsupported("minimum on a non-integer")
        if "pattern" in node and kind != "string":
            raise Unsupported("pattern on a non-string")
        if "enum" in node:
            if not all(type(v) is str for v in node["enum"]) or kind != "string":
                raise Unsupported("enum of other than strings")
            allowed = self.name("_e")
            self.ns[allowed] = frozenset(node["enum"])
            lines.append(f"if {x} not in {allowed}: return None")
        lines.append(f"{y} = {x}")
        return lines


def _defaults(model: type[BaseModel], found: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    title = model.model_config.get("title") or model.__name__
    if title in found:
        return found
    found[title] = {}
    for name, info in model.model_fields.items():
        if not info.is_required():
            default = info.get_default(call_default_factory=True)
            if not isinstance(default, PLAIN) and default != []:
                raise Unsupported(f"{title}.{name}: a default the JSON form cannot copy")
            found[title][name] = default
        for nested in models_in(info.annotation):
            _defaults(nested, found)
    return found


def generated_form(model: type[BaseModel]) -> Callable[[dict[str, Any]], Json | None]:
    """The generated check of one event model (Unsupported when its schema needs jsonschema-rs)."""
    schema = model.model_json_schema(mode="serialization")
    writer = _FormWriter(schema, _defaults(model, {}))
    top = writer.function(schema.get("title", model.__name__), schema)
    namespace = dict(writer.ns)
    exec(compile("\n".join(writer.lines) + "\n", f"<form {model.__name__}>", "exec"), namespace)
    fn: Callable[[dict[str, Any]], Json | None] = namespace[top]
    return fn


@cache
def json_form(model: type[EventData]) -> Callable[[dict[str, Any]], Json | None]:
    try:
        return generated_form(model)
    except Unsupported:
        schema = model.model_json_schema(mode="serialization")
        return JsonForm(model_shape(model), jsonschema_rs.validator_for(schema))
