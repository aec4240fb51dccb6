"""The check of mapped fields against an event model: one generated function per model of the event's JSON
Schema, which returns the fields' JSON form (what pydantic's `model_dump(mode="json")` of the validated
model gives: timestamps in UTC as ISO text, defaults filled in, fields in the model's order) or raises
Refused naming the first field that does not fit.

It takes JSON values of the exact types only (str, int, bool, None, dict, list; aware datetimes where the
schema has a date-time string), as pydantic's strict mode does, checks every keyword the schema uses, and
keeps to the bounds of limits.py (long strings, huge integers). A keyword it does not know makes the model
Unsupported: an event model must stay within what this file checks (tests/unit/test_draft_validator.py
builds every one)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import Any, get_args

from pydantic import BaseModel

from hub.mapping.limits import INT_BOUND, MAX_INT_DIGITS, MAX_TEXT

Json = dict[str, Any]
JsonForm = Callable[[dict[str, Any]], Json]
PLAIN = (str, int, bool, type(None))  # the defaults the JSON form copies as they are
ABSENT = object()  # a field not mapped at all: None is a mapped null


class Unsupported(ValueError):
    """A schema keyword the generated check does not know."""


class Refused(ValueError):
    """Mapped fields that do not fit the model: where (field names and list indexes) and why."""

    def __init__(self, loc: tuple[Any, ...], message: str) -> None:
        self.loc = loc
        self.message = message
        super().__init__(f"{'.'.join(map(str, loc))}: {message}")


def _extra(value: dict[str, Any], known: frozenset[str]) -> str:
    return next(k for k in value if k not in known)


class _FormWriter:
    """Writes, per model of an event's JSON Schema, one function `form_<title>(v, at)` that checks a dict
    against the model and returns its JSON form; `at` is the location of v, used only to raise."""

    _KNOWN = {"type", "title", "description", "default", "anyOf", "additionalProperties", "properties"}
    _KNOWN |= {"required", "$ref", "format", "pattern", "minimum", "items", "enum"}
    _KNOWN |= {"$defs", "$schema", "$id", "x-topic", "x-version", "x-minor"}

    def __init__(self, schema: dict[str, Any], defaults: dict[str, dict[str, Any]], text_times: bool) -> None:
        self.schema = schema
        self.text_times = text_times
        self.defaults = defaults  # model title -> field -> JSON default (absent: required)
        self.ns: dict[str, Any] = {"UTC": UTC, "datetime": datetime, "_ABSENT": ABSENT, "Refused": Refused}
        self.ns |= {"_extra": _extra, "MAX_TEXT": MAX_TEXT, "INT_BOUND": INT_BOUND}
        self.lines: list[str] = []
        self.count = 0
        self.done: set[str] = set()

    def name(self, hint: str) -> str:
        self.count += 1
        return f"{hint}{self.count}"

    def const(self, value: Any) -> str:
        if value is None or isinstance(value, bool | int | str):
            return repr(value)
        name = self.name("_c")
        self.ns[name] = value
        return name

    @staticmethod
    def refuse(at: str, message: str) -> str:
        return f"raise Refused({at}, {message!r})"

    def function(self, title: str, node: dict[str, Any]) -> str:
        fn = f"form_{title}"
        if title in self.done:
            return fn
        self.done.add(title)
        unknown = set(node) - self._KNOWN
        if unknown or node.get("type") != "object" or node.get("additionalProperties") is not False:
            raise Unsupported(f"{title}: {sorted(unknown) or 'not a closed object'}")
        known = self.const(frozenset(node["properties"]))
        body = [
            f"def {fn}(v, at=()):",
            f"    if v.__class__ is not dict: {self.refuse('at', 'expected an object')}",
        ]
        body += ["    out = {}", "    n = 0"]
        required = set(node.get("required", ()))
        for field, prop in node["properties"].items():
            key = self.const(field)
            here = f"at + ({key},)"
            body.append(f"    x = v.get({key}, _ABSENT)")
            body.append("    if x is _ABSENT:")
            if field in required:
                body.append(f"        {self.refuse(here, 'required')}")
            else:
                default = self.defaults[title][field]
                body.append(f"        out[{key}] = {'[]' if default == [] else self.const(default)}")
            body.append("    else:")
            body.append("        n += 1")
            body.extend("        " + line for line in self.value(prop, "x", "y", here))
            body.append(f"        out[{key}] = y")
        body.append(f"    if n != len(v): {self.refuse(f'at + (_extra(v, {known}),)', 'unknown field')}")
        body.append("    return out")
        self.lines.extend(body)
        return fn

    def value(self, node: dict[str, Any], x: str, y: str, at: str) -> list[str]:
        """Lines checking x against node and setting y to its JSON form; `at` is x's location."""
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
                *("    " + line for line in self.value(others[0], x, y, at)),
            ]
        if "$ref" in node:
            if set(node) - {"$ref", "title", "description", "default"}:
                raise Unsupported("$ref with siblings")
            title = node["$ref"].rsplit("/", 1)[1]
            fn = self.function(title, self.schema["$defs"][title])
            return [f"{y} = {fn}({x}, {at})"]
        kind = node.get("type")
        if kind == "string" and node.get("format") == "date-time":
            if set(node) - {"type", "format", "title", "description", "default"}:
                raise Unsupported("date-time with constraints")
            offset = self.refuse(at, "expected a timestamp with a UTC offset")
            if self.text_times:
                return [
                    f"if {x}.__class__ is not str: {offset}",
                    "try:",
                    f"    {x} = datetime.fromisoformat({x})",
                    f"except ValueError: {offset}",
                    f"if {x}.utcoffset() is None: {offset}",
                    f"{y} = {x}.astimezone(UTC).isoformat()",
                ]
            return [
                f"if not isinstance({x}, datetime) or {x}.utcoffset() is None: {offset}",
                f"{y} = {x}.astimezone(UTC).isoformat()",
            ]
        if "format" in node:
            raise Unsupported(f"format {node['format']}")
        if "minimum" in node and kind != "integer":
            raise Unsupported("minimum on a non-integer")
        if "pattern" in node and kind != "string":
            raise Unsupported("pattern on a non-string")
        if "enum" in node and (kind != "string" or not all(type(v) is str for v in node["enum"])):
            raise Unsupported("enum of other than strings")
        if kind == "string":
            lines = [f"if {x}.__class__ is not str: {self.refuse(at, 'expected a string')}"]
            lines.append(f"if len({x}) > MAX_TEXT: {self.refuse(at, f'longer than {MAX_TEXT} characters')}")
            if "pattern" in node:
                lines.append(self._pattern(node["pattern"], x, at))
            if "enum" in node:
                allowed = self.const(frozenset(node["enum"]))
                message = f"not one of {', '.join(node['enum'])}"
                lines.append(f"if {x} not in {allowed}: {self.refuse(at, message)}")
        elif kind == "integer":
            lines = [f"if {x}.__class__ is not int: {self.refuse(at, 'expected an integer')}"]
            bound = f"more than {MAX_INT_DIGITS} digits"
            lines.append(f"if not -INT_BOUND < {x} < INT_BOUND: {self.refuse(at, bound)}")
            if "minimum" in node:
                minimum = int(node["minimum"])
                lines.append(f"if {x} < {minimum}: {self.refuse(at, f'less than {minimum}')}")
        elif kind == "boolean":
            lines = [f"if {x}.__class__ is not bool: {self.refuse(at, 'expected a boolean')}"]
        elif kind == "array":
            if "items" not in node:
                raise Unsupported("array without items")
            index, item, out = self.name("i"), self.name("e"), self.name("a")
            lines = [f"if {x}.__class__ is not list: {self.refuse(at, 'expected an array')}", f"{out} = []"]
            lines.append(f"for {index}, {item} in enumerate({x}):")
            lines += [
                "    " + line for line in self.value(node["items"], item, item + "_", f"{at} + ({index},)")
            ]
            lines += [f"    {out}.append({item}_)", f"{y} = {out}"]
            return lines
        else:
            raise Unsupported(f"type {kind}")
        lines.append(f"{y} = {x}")
        return lines

    def _pattern(self, pattern: str, x: str, at: str) -> str:
        # JSON Schema patterns are ECMA-262: `$` is the very end, where Python's also allows a final
        # newline before it. Only the simple anchored patterns of the event models are taken.
        simple = pattern.startswith("^") and pattern.endswith("$")
        if not simple or "\\" in pattern[:-1].replace("\\.", ""):
            raise Unsupported(f"pattern {pattern}")
        regex = self.const(re.compile(pattern[:-1] + r"\Z"))
        return f"if {regex}.match({x}) is None: {self.refuse(at, f'does not match {pattern}')}"


def models_in(annotation: Any) -> list[type[BaseModel]]:
    found = []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        found.append(annotation)
    for arg in get_args(annotation):
        found.extend(models_in(arg))
    return found


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


@cache
def json_form(model: type[BaseModel], text_times: bool = False) -> JsonForm:
    """The generated check of one event model: fields -> JSON form, or Refused. Timestamps are aware
    datetimes, or with text_times their JSON form (ISO 8601 with an offset)."""
    schema = model.model_json_schema(mode="serialization")
    writer = _FormWriter(schema, _defaults(model, {}), text_times)
    top = writer.function(schema.get("title", model.__name__), schema)
    namespace = dict(writer.ns)
    exec(compile("\n".join(writer.lines) + "\n", f"<form {model.__name__}>", "exec"), namespace)
    form: JsonForm = namespace[top]
    return form
