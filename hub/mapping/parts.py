"""What a mapping may name besides itself: the connector's other mappings (`include`) and its lookup tables
(`lookup`). Loading a project checks every name against these before anything is compiled, at the line
that writes it (`problems`); the compilers then only ever look up names that exist."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hub.mapping import spec as s
from hub.mapping.errors import MappingError
from hub.mapping.inputs import InputCheck, compile_input
from hub.mapping.spec import where
from hub.mapping.walk import Loc, walk


@dataclass
class Parts:
    mappings: Mapping[str, s.MappingSpec] = field(default_factory=dict)
    tables: Mapping[str, s.LookupTable] = field(default_factory=dict)
    folder: Path = Path(".")  # the connector's folder, where input schemas are found
    files: frozenset[str] = frozenset()  # every mapping file's name, those that do not load too
    _checks: dict[str, InputCheck | None] = field(default_factory=dict)

    def mapping(self, name: str) -> s.MappingSpec:
        return self.mappings[name]

    def table(self, name: str) -> s.LookupTable:
        return self.tables[name]

    def input_check(self, name: str) -> InputCheck | None:
        """The input schema check of a mapping another one includes (its `$` is the include's root)."""
        if name not in self._checks:
            spec = self.mappings[name]
            has = spec.input is not None and spec.input.schema_ is not None
            self._checks[name] = compile_input(spec.input, self.folder) if has else None  # type: ignore[arg-type]
        return self._checks[name]


NO_PARTS = Parts()


@dataclass(frozen=True, slots=True)
class Problem:
    loc: Loc
    message: str
    known: tuple[str, ...] = ()


def problems(name: str, spec: s.MappingSpec, parts: Parts) -> list[Problem]:
    """Every include and lookup of a mapping that names something the connector does not have, and every
    include cycle, at the location in the document that writes it."""
    found: list[Problem] = []
    for loc, node in walk(spec).parts:
        if isinstance(node, s.LookupExpr):
            found += _lookup_problems(loc, node, parts)
        elif isinstance(node, s.Include):
            found += _include_problems(name, loc, node, parts)
    return found


def _lookup_problems(loc: Loc, node: s.LookupExpr, parts: Parts) -> list[Problem]:
    table = parts.tables.get(node.table)
    if table is None:
        known = tuple(parts.tables)
        where = "the connector declares no lookup tables (`lookups:`)" if not known else "unknown table"
        return [Problem((*loc, "table"), f"{node.table!r}: {where}", known)]
    if node.field not in table.fields():
        return [
            Problem(
                (*loc, "field"), f"{node.field!r} is no field of table {node.table}", tuple(table.fields())
            )
        ]
    return []


def _include_problems(name: str, loc: Loc, node: s.Include, parts: Parts) -> list[Problem]:
    target = parts.mappings.get(node.mapping)
    if target is None and node.mapping in parts.files:
        return [Problem((*loc, "mapping"), f"{node.mapping}.yaml does not load (see its own problems)")]
    if target is None:
        return [
            Problem(
                (*loc, "mapping"), f"no mapping {node.mapping!r} to include", tuple(sorted(parts.mappings))
            )
        ]
    found = []
    declared = target.input.with_ if target.input is not None else {}
    for given in node.with_:
        if given not in declared:
            message = f"{node.mapping} declares no name {given!r} under input.with"
            found.append(Problem((*loc, "with", given), message, tuple(declared)))
    cycle = _cycle(node.mapping, parts, [name])
    if cycle:
        found.append(Problem((*loc, "mapping"), f"include cycle: {' -> '.join(cycle)}"))
    return found


def _cycle(name: str, parts: Parts, chain: list[str]) -> list[str] | None:
    if name in chain:
        return [*chain, name]
    spec = parts.mappings.get(name)
    if spec is None:
        return None
    for _loc, node in walk(spec).parts:
        if isinstance(node, s.Include):
            found = _cycle(node.mapping, parts, [*chain, name])
            if found:
                return found
    return None


def included(parts: Parts) -> dict[str, list[str]]:
    """Which mappings include each mapping (a mapping only included is tested through its includers)."""
    by: dict[str, list[str]] = {}
    for name, spec in parts.mappings.items():
        for _loc, node in walk(spec).parts:
            if isinstance(node, s.Include):
                by.setdefault(node.mapping, []).append(name)
    return by


def headers_read(specs: Mapping[str, s.MappingSpec] | list[Any]) -> list[str]:
    """The header names the mappings read (`type: header`), each once, as first written."""
    names: dict[str, str] = {}
    for spec in specs.values() if isinstance(specs, Mapping) else specs:
        for _loc, node in walk(spec).parts:
            if isinstance(node, s.HeaderExpr):
                names.setdefault(node.name.lower(), node.name)
    return list(names.values())


_ROOT = re.compile(r"(?<![\w@$\]'])\$")


def relocated(exc: MappingError, root: str | None, names: Mapping[str, str | None]) -> MappingError:
    """An error raised inside an included mapping, its location said in the including payload's terms:
    `$` becomes the include's root path, @name the path its `with` gave (where each is one)."""

    def moved(text: str | None) -> str | None:
        if text is None:
            return None
        if root is not None:
            text = _ROOT.sub(_literally(root), text)
        for name, source in names.items():
            if source is not None:
                text = re.sub(rf"@{name}(?![\w])", _literally(source), text)
        return text

    at = moved(exc.at)
    items = [(moved(source) or source, index) for source, index in exc.items]
    if at == exc.at and items == exc.items:
        return exc
    relocated = MappingError(exc.reason, at=at, value=exc.value, known=exc.known)
    relocated.reason = exc.reason  # already shortened once
    for source, index in items:  # innermost first, as within() appended them
        relocated.within(source, index)
    return relocated


def included_labels(siblings: Sequence[s.Emitter], prefix: str, label: str) -> str:
    """The label prefix (part of each event's id) of an included mapping's emitters: the include's own
    label; none where the include is all a mapping emits, so a mapping that only maps a part of its payload
    with another gives that mapping's events with their ids."""
    return "" if prefix == "" and len(siblings) == 1 else f"{label}:"


def _literally(text: str) -> Callable[[re.Match[str]], str]:
    """A replacement for re.sub that is the text itself (a path may hold backslashes or group refs)."""
    return lambda _match: text


def include_locations(emitter: s.Include) -> tuple[str | None, dict[str, str | None]]:
    """The root path of an include, and what each of its named values reads (for relocated)."""
    root = emitter.root if isinstance(emitter.root, str) and emitter.root[:1] == "$" else None
    return root, {name: where(value) for name, value in emitter.with_.items()}
