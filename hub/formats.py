"""The YAML formats' JSON Schemas (generated from their models) and errors that point at a line."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from hub.yamlpos import Located

Kind = Literal["connector", "mapping", "golden", "inventory", "consumer"]


@dataclass(frozen=True, slots=True)
class Issue:
    file: Path
    line: int
    path: str
    message: str
    known: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}: {self.path or '(document)'}: {self.message}"
        if self.known:
            text += f" (known: {', '.join(self.known)})"
        return text


@cache
def format_schema(kind: Kind) -> dict[str, Any]:
    if kind == "connector":
        from hub.connectors.spec import ConnectorSpec as model
    elif kind == "golden":
        from hub.golden_format import GoldenFile as model  # type: ignore[assignment]
    elif kind == "inventory":
        from hub.domain.policy import InventoryPolicy as model  # type: ignore[assignment]
    elif kind == "consumer":
        from hub.consumers.spec import ConsumerGroupSpec as model  # type: ignore[assignment]
    else:
        from hub.mapping.spec import MappingSpec as model  # type: ignore[assignment]
    schema = model.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://github.com/commerce-hub/hub/schemas/{kind}.schema.json"
    return schema


@cache
def _validator(kind: Kind) -> Draft202012Validator:
    return Draft202012Validator(format_schema(kind))


def dotted(path: Any) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_UNEXPECTED = re.compile(r"\('([^']+)' (?:was|were) unexpected\)")


Explained = tuple[ValidationError, str, tuple[str, ...], tuple[str, ...]]


def _explain(error: ValidationError) -> Iterator[Explained]:
    """Turn jsonschema's errors into the ones a person can act on, with the known values."""
    schema: dict[str, Any] = error.schema if isinstance(error.schema, dict) else {}
    if error.validator in ("anyOf", "oneOf") and error.context:
        instance = error.instance
        disc = schema.get("discriminator")
        branches = schema[str(error.validator)]
        if isinstance(instance, dict) and disc:
            tag = instance.get(disc["propertyName"])
            mapping = disc["mapping"]
            if tag not in mapping:
                yield error, f"unknown {disc['propertyName']} {tag!r}", tuple(sorted(mapping)), ()
                return
            index = next(i for i, b in enumerate(branches) if b.get("$ref") == mapping[tag])
            for sub in error.context:
                if sub.relative_schema_path[0] == index:
                    yield from _explain(sub)
            return
        # Without a discriminator, follow the branches whose top-level type fits the value.
        fitting: dict[str | int, list[ValidationError]] = {}
        for sub in error.context:
            fitting.setdefault(sub.relative_schema_path[0], []).append(sub)
        fitting = {
            i: errs
            for i, errs in fitting.items()
            if not any(e.validator == "type" and len(e.relative_schema_path) == 2 for e in errs)
        }
        if len(fitting) == 1:
            for sub in next(iter(fitting.values())):
                yield from _explain(sub)
            return
    if error.validator == "enum":
        yield (
            error,
            f"{error.instance!r} is not a known value",
            tuple(str(v) for v in schema.get("enum", [])),
            (),
        )
        return
    if error.validator == "additionalProperties":
        match = _UNEXPECTED.search(error.message)
        names = match.group(1) if match else "property"
        allowed = tuple(sorted(schema.get("properties", {})))
        # Point at the unknown key's own line, not at the object that holds it.
        first = names.split("', '")[0]
        yield error, f"unknown field {names!r}", allowed, (first,)
        return
    yield error, error.message, (), ()


def check_document(kind: Kind, doc: Located, file: Path) -> list[Issue]:
    issues = [Issue(file, p.line, "", p.message) for p in doc.problems]
    for error in sorted(
        _validator(kind).iter_errors(doc.data), key=lambda e: list(map(str, e.absolute_path))
    ):
        for leaf, message, known, suffix in _explain(error):
            path = tuple(leaf.absolute_path)
            issues.append(Issue(file, doc.line_of((*path, *suffix)), dotted(path), message, known))
    return unique(issues)


def unique(issues: list[Issue]) -> list[Issue]:
    """One issue per file, line and message: a YAML merge key (<<: *anchor) repeats the same mistake
    under several paths, and the line is what a person fixes."""
    seen: dict[tuple[str, int, str], Issue] = {}
    for issue in sorted(issues, key=lambda i: (str(i.file), i.line, i.path)):
        seen.setdefault((str(issue.file), issue.line, issue.message), issue)
    return list(seen.values())
