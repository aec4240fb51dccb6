"""`hub lint` against the event model: every key a mapping's `data` (and `data_by_event`) writes is a field
of every event type the emitter may emit, and the keys of objects it builds for nested fields (lines,
totals, shipments) are fields of those nested models. Otherwise every payload would be quarantined with
"unknown field" at run time."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from hub.events.catalog import event_class
from hub.formats import Issue, dotted
from hub.mapping import spec as s
from hub.mapping.drafts import draft_model
from hub.yamlpos import Located

Loc = tuple[str | int, ...]


@cache
def _schema(event_type: str) -> dict[str, Any]:
    return draft_model(event_class(event_type)).model_json_schema(mode="serialization")


def _events_of(event: str | s.SwitchEvent) -> list[str]:
    if isinstance(event, str):
        return [event]
    return sorted({name for target in event.cases.values() for name in _events_of(target)})


class _Fields:
    def __init__(self, file: Path, doc: Located) -> None:
        self.file, self.doc = file, doc
        self.issues: list[Issue] = []

    def emitters(self, emitters: list[s.Emitter], loc: Loc) -> None:
        for index, emitter in enumerate(emitters):
            here = (*loc, index)
            if isinstance(emitter, s.ForEach):
                self.emitters(emitter.emit, (*here, "emit"))
                continue
            if isinstance(emitter, s.Include):
                continue  # the included mapping's fields are checked in its own file
            self.shared(emitter.data, _events_of(emitter.event), (*here, "data"))
            for event_type, fields in emitter.data_by_event.items():
                self.fields(fields, _schema(event_type), event_type, (*here, "data_by_event", event_type))

    def shared(self, fields: dict[str, Any], events: list[str], loc: Loc) -> None:
        """`data` goes to whichever event the emitter chooses: each key must be a field of every one."""
        for name, expr in fields.items():
            nodes = {e: _resolved(_schema(e), _schema(e)).get("properties", {}) for e in events}
            lacking = [e for e in events if name not in nodes[e]]
            if lacking:
                at = (*loc, name)
                also = " (put it under data_by_event)" if len(lacking) < len(events) else ""
                message = (
                    f"{', '.join(lacking)} {'has' if len(lacking) == 1 else 'have'} no field {name!r}{also}"
                )
                known = tuple(nodes[lacking[0]])
                self.issues.append(Issue(self.file, self.doc.line_of(at), dotted(at), message, known))
                continue
            for event_type in events:
                self.value(expr, nodes[event_type][name], event_type, (*loc, name))

    def fields(self, fields: dict[str, Any], node: dict[str, Any], event_type: str, loc: Loc) -> None:
        root = _schema(event_type)
        node = _resolved(node, root)
        known = node.get("properties", {})
        for name, expr in fields.items():
            if name not in known:
                at = (*loc, name)
                message = f"{node.get('title', event_type)} has no field {name!r}"
                self.issues.append(Issue(self.file, self.doc.line_of(at), dotted(at), message, tuple(known)))
            else:
                self.value(expr, known[name], event_type, (*loc, name))

    def value(self, expr: Any, node: dict[str, Any], event_type: str, loc: Loc) -> None:
        """Follow an expression that builds the field's value into the part of the model it fills."""
        node = _resolved(node, _schema(event_type))
        if isinstance(expr, s.ObjectExpr) and "properties" in node:
            self.fields(expr.fields, node, event_type, (*loc, "fields"))
        elif isinstance(expr, s.ListExpr) and "items" in node:
            self.value(expr.item, node["items"], event_type, (*loc, "item"))
        elif isinstance(expr, s.ArrayExpr) and "items" in node:
            for index, option in enumerate(expr.of):
                self.value(option, node["items"], event_type, (*loc, "of", index))
        elif isinstance(expr, s.CoalesceExpr):
            for index, option in enumerate(expr.of):
                self.value(option, node, event_type, (*loc, "of", index))
        elif isinstance(expr, s.CaseExpr):
            for index, branch in enumerate(expr.cases):
                self.value(branch.value, node, event_type, (*loc, "cases", index, "value"))
            self.value(expr.otherwise, node, event_type, (*loc, "otherwise"))


def _resolved(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """The schema node itself: through a `$ref`, and through `anyOf` with null (an optional field)."""
    for _ in range(8):
        if "$ref" in node:
            node = root["$defs"][node["$ref"].rsplit("/", 1)[1]]
        elif "anyOf" in node:
            others = [o for o in node["anyOf"] if o != {"type": "null"}]
            if len(others) != 1:
                return node
            node = others[0]
        else:
            return node
    return node


def field_issues(file: Path, doc: Located, spec: s.MappingSpec) -> list[Issue]:
    checker = _Fields(file, doc)
    checker.emitters(spec.emit, ("emit",))
    return checker.issues
