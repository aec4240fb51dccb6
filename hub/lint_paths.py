"""`hub lint` against the marketplace's JSON Schema: every path a mapping reads exists in the schema of
its input, and every enum or switch table maps every value the schema enumerates at its source."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hub.formats import Issue, dotted
from hub.mapping import spec as s
from hub.mapping.convert import canonical
from hub.mapping.inputs import load_schema, pointed
from hub.mapping.paths import EVERY, parse
from hub.mapping.walk import ENTRIES, ITEMS, NAMED, Absolute, PathUse, render, walk
from hub.yamlpos import Located

_SCALARS = {"string", "number", "integer", "boolean", "null"}
_COMBINED = {"allOf", "anyOf", "oneOf"}  # a node made of others: its members declare the properties


@dataclass(frozen=True, slots=True)
class Missing:
    at: int  # index of the step that names nothing
    known: tuple[str, ...]  # the property names there (empty: not an object or not an array)
    reason: str


Node = tuple[Any, str]  # a schema node and its location in the file (a JSON pointer)


class Schema:
    """One record's part of a marketplace schema, walked step by step through $ref, allOf/anyOf/oneOf.
    Nodes keep their location in the file, so `lenient` locations can be told apart."""

    def __init__(self, root: dict[str, Any], pointer: str, lenient: list[str] | None = None) -> None:
        self.root = root
        self.record: Node = (pointed(root, pointer) if pointer else root, pointer)
        self.lenient = [p.rstrip("/") for p in lenient or []]

    def _deref(self, node: Node) -> Node:
        for _ in range(32):
            ref = node[0].get("$ref") if isinstance(node[0], dict) else None
            if not isinstance(ref, str) or not ref.startswith("#"):
                return node
            node = (pointed(self.root, ref[1:]), ref[1:])
        return node

    def _branches(self, node: Node) -> Iterator[tuple[dict[str, Any], str]]:
        value, at = self._deref(node)
        if not isinstance(value, dict):
            return
        yield value, at
        for key in ("allOf", "anyOf", "oneOf"):
            for i, member in enumerate(value.get(key, [])):
                yield from self._branches((member, f"{at}/{key}/{i}"))

    @staticmethod
    def _types(branch: dict[str, Any]) -> set[str]:
        kind = branch.get("type")
        return {kind} if isinstance(kind, str) else set(kind) if isinstance(kind, list) else set()

    def nodes(self, absolute: Absolute) -> list[Node] | Missing | None:
        """The schema nodes a path reaches; Missing where a step names nothing; None when the schema
        cannot tell (an open object, an external $ref)."""
        nodes: list[Node] = [self.record]
        entry = False
        for index, step in enumerate(absolute):
            if step is ENTRIES:  # an entry {key, value} of the objects reached so far
                entry = True
                continue
            if entry:
                entry = False
                if step == "key":
                    return None  # any key of the object: a string the schema does not name
                if step != "value":
                    return Missing(index, ("key", "value"), "names no part of an entry")
                values = self._values(nodes)
                if values is None:
                    return None
                nodes = values
                continue
            found: list[Node] = []
            undecided = False
            known: set[str] = set()
            scalar = False
            for node in nodes:
                for branch, at in self._branches(node):
                    types = self._types(branch)
                    if step is ITEMS or step is EVERY or isinstance(step, int):
                        items = branch.get("items", branch.get("prefixItems"))
                        if isinstance(items, dict):
                            found.append((items, f"{at}/items"))
                        elif isinstance(items, list):
                            found += [(item, f"{at}/items/{i}") for i, item in enumerate(items)]
                        elif step is ITEMS:
                            found.append((branch, at))  # not an array: the value is the item itself
                        elif not types or "array" in types:
                            undecided = True
                        continue
                    props = branch.get("properties")
                    patterns = branch.get("patternProperties") or {}
                    extra = branch.get("additionalProperties")
                    name = str(step)
                    if isinstance(props, dict) and name in props:
                        found.append((props[name], f"{at}/properties/{name}"))
                    elif any(re.search(p, name) for p in patterns):
                        found += [
                            (v, f"{at}/patternProperties/{p}")
                            for p, v in patterns.items()
                            if re.search(p, name)
                        ]
                    elif isinstance(extra, dict) and extra:
                        found.append((extra, f"{at}/additionalProperties"))
                    elif props is None and not patterns and types and types <= _SCALARS:
                        scalar = True
                    elif props is None and not patterns and not _COMBINED.intersection(branch):
                        undecided = True  # an object without declared properties: anything may be there
                    else:
                        known |= set(props or {})
            if found:
                nodes = found
                continue
            if undecided:
                return None
            if step is EVERY or isinstance(step, int):
                return Missing(index, (), "indexes something that is not an array")
            reason = "reads into a scalar" if scalar else "names no property"
            return Missing(index, tuple(sorted(known)), reason)
        return nodes

    def _values(self, nodes: list[Node]) -> list[Node] | None:
        """The nodes of every property value of the objects (an entry's value); None when open."""
        found: list[Node] = []
        for node in nodes:
            for branch, at in self._branches(node):
                props = branch.get("properties") or {}
                found += [(v, f"{at}/properties/{k}") for k, v in props.items()]
                patterns = branch.get("patternProperties") or {}
                found += [(v, f"{at}/patternProperties/{p}") for p, v in patterns.items()]
                extra = branch.get("additionalProperties")
                if isinstance(extra, dict) and extra:
                    found.append((extra, f"{at}/additionalProperties"))
                elif extra is None and not props and not patterns and not _COMBINED.intersection(branch):
                    return None  # an object without declared properties: anything may be there
        return found or None

    def enum(self, absolute: Absolute) -> list[Any]:
        """The values the schema enumerates at a path (empty when it enumerates none). An enum at a
        `lenient` location is one the marketplace itself contradicts: it is not held against a table."""
        reached = self.nodes(absolute)
        if not isinstance(reached, list):
            return []
        values: list[Any] = []
        for node in reached:
            for branch, at in self._branches(node):
                if any(f"{at}/enum".startswith(p) for p in self.lenient):
                    continue
                values += [v for v in branch.get("enum", []) if v not in values]
        return values


def _closest(name: str, known: tuple[str, ...]) -> tuple[str, ...]:
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
    return tuple(close) if close else known


def check_mapping(file: Path, doc: Located, spec: s.MappingSpec, connector_dir: Path) -> list[Issue]:
    walked = walk(spec)
    issues = [
        Issue(
            file,
            doc.line_of(use.loc),
            dotted(use.loc),
            f"{use.path}: no enclosing foreach or list names an item {use.unbound} (as: {use.unbound[1:]})",
        )
        for use in walked.paths
        if use.unbound is not None
    ]
    if spec.input is None or spec.input.schema_ is None:
        return issues
    schemas: Schemas = [
        ((), spec.input.schema_, _schema(connector_dir, spec.input.schema_, spec.input.lenient))
    ]
    for path, attached in spec.input.attached.items():
        schemas.append((parse(path)[1], attached, _schema(connector_dir, attached, [])))
    schemas.sort(key=lambda entry: -len(entry[0]))  # the longest attachment that holds a path checks it
    for use in walked.paths:
        issues += _path_issue(file, doc, use, schemas)
    for table in walked.tables:
        source = table.source
        if source is None or source.absolute is None or source.absolute[:1] == (NAMED,):
            continue
        cut, reference, schema = _covering(schemas, source.absolute)
        enumerated = schema.enum(source.absolute[len(cut) :])
        missing = [str(v) for v in enumerated if canonical(v) not in table.keys]
        if missing:
            issues.append(
                Issue(
                    file,
                    doc.line_of(table.loc),
                    dotted(table.loc),
                    f"{source.path} ({render(source.absolute)}): {reference} enumerates value(s) this "
                    f"{table.kind} table does not map; map or ignore each",
                    tuple(missing),
                )
            )
    return issues


def _schema(connector_dir: Path, reference: str, lenient: list[str]) -> Schema:
    file_part, _, pointer = reference.partition("#")
    return Schema(load_schema((connector_dir / file_part).resolve()), pointer, lenient)


Schemas = list[tuple[tuple[Any, ...], str, Schema]]


def _covering(schemas: Schemas, absolute: Absolute) -> tuple[tuple[Any, ...], str, Schema]:
    """The schema that describes a path: of the longest attachment it starts with, else the record's."""
    return next(e for e in schemas if tuple(absolute[: len(e[0])]) == e[0])


def _path_issue(file: Path, doc: Located, use: PathUse, schemas: Schemas) -> list[Issue]:
    if use.absolute is None or use.absolute[:1] == (NAMED,):
        return []
    cut, reference, schema = _covering(schemas, use.absolute)
    reached = schema.nodes(use.absolute[len(cut) :])
    if not isinstance(reached, Missing) or reached.at + len(cut) < use.own:
        return []  # a miss inside the anchor's own path is reported where that path is written
    at = reached.at + len(cut)
    step = use.absolute[at]
    where = render(use.absolute[:at])
    name = f"[{step}]" if isinstance(step, int) else "[*]" if step is EVERY else repr(step)
    message = f"{use.path}: {name} {reached.reason} at {where} of {reference}"
    return [Issue(file, doc.line_of(use.loc), dotted(use.loc), message, _closest(str(step), reached.known))]
