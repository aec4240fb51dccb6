"""Consumer groups declared in YAML: the hub's own (hub/consumers/groups/) and a project's
(`consumers/<name>.yaml`, which may also replace one of the hub's by its name). Every problem is an Issue
with file, line and the known values, for `hub lint` and for start-up alike."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from hub.consumers.http_sink import HttpSink
from hub.consumers.registry import GroupSpec, Handler
from hub.consumers.spec import ConsumerGroupSpec
from hub.consumers.spec import HttpSink as HttpSinkSpec
from hub.events import EVENT_TYPES
from hub.formats import Issue, check_document
from hub.retry import RetryPolicy
from hub.yamlpos import Located, load

SHIPPED = Path(__file__).with_name("groups")


def declaration_files(root: Path) -> list[Path]:
    """The hub's declarations, then the project's; a project file replaces the hub's of the same name."""
    found = {p.stem: p for p in sorted(SHIPPED.glob("*.yaml"))}
    found.update({p.stem: p for p in sorted((root / "consumers").glob("*.yaml"))})
    return sorted(found.values(), key=lambda p: (p.parent != SHIPPED, p.stem))


def load_declared(root: Path, environ: Mapping[str, str]) -> tuple[dict[str, GroupSpec], list[Issue]]:
    specs: dict[str, GroupSpec] = {}
    issues: list[Issue] = []
    for path in declaration_files(root):
        spec, found = load_file(path, environ)
        issues += found
        if spec is not None:
            specs[spec.name] = spec
    return specs, issues


def load_file(path: Path, environ: Mapping[str, str]) -> tuple[GroupSpec | None, list[Issue]]:
    try:
        doc = load(path.read_text())
    except Exception as exc:  # YAML syntax: the parser says where
        mark = getattr(exc, "problem_mark", None)
        return None, [Issue(path, (mark.line + 1) if mark else 1, "", f"not YAML: {exc}")]
    issues = check_document("consumer", doc, path)
    if issues:
        return None, issues
    try:
        declared = ConsumerGroupSpec.model_validate(doc.data)
    except ValidationError as exc:  # what the schema cannot say (none today): still a located issue
        return None, [Issue(path, 1, "", str(exc).splitlines()[0])]
    issues = _meaning_issues(path, doc, declared)
    handler, problem = _handler(path, doc, declared, environ)
    if problem is not None:
        issues.append(problem)
    if issues or handler is None:
        return None, issues
    return _group(path, declared, handler), []


def _meaning_issues(path: Path, doc: Located, declared: ConsumerGroupSpec) -> list[Issue]:
    issues = []
    if declared.name != path.stem:
        issues.append(
            Issue(
                path,
                doc.line_of(("name",)),
                "name",
                f"{declared.name!r} is not the file's name {path.stem!r}",
            )
        )
    for index, name in enumerate(declared.events or ()):
        topic = EVENT_TYPES[name].TOPIC
        if topic not in declared.topics:
            issues.append(
                Issue(
                    path,
                    doc.line_of(("events", index)),
                    f"events[{index}]",
                    f"{name} is published to topic {topic}, which this group does not read",
                    tuple(sorted(n for n, cls in EVENT_TYPES.items() if cls.TOPIC in declared.topics)),
                )
            )
    retry = declared.retry
    if retry.first_wait_s > retry.max_wait_s:
        issues.append(
            Issue(
                path, doc.line_of(("retry", "first_wait_s")), "retry.first_wait_s", "longer than max_wait_s"
            )
        )
    return issues


def _handler(
    path: Path, doc: Located, declared: ConsumerGroupSpec, environ: Mapping[str, str]
) -> tuple[Handler | None, Issue | None]:
    sink = declared.sink
    if isinstance(sink, HttpSinkSpec):
        return HttpSink(declared.name, sink.url, sink.secret, sink.timeout_s, environ), None
    module_name, _, function = sink.handler.partition(":")
    line = doc.line_of(("sink", "handler"))
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:
        return None, Issue(
            path, line, "sink.handler", f"cannot import {module_name}: {type(exc).__name__}: {exc}"
        )
    found: Any = getattr(module, function, None)
    if not callable(found):
        known = tuple(
            sorted(
                name
                for name, value in vars(module).items()
                if inspect.isfunction(value)
                and value.__module__ == module.__name__
                and not name.startswith("_")
            )
        )
        return None, Issue(path, line, "sink.handler", f"{module_name} has no function {function!r}", known)
    return found, None


def _group(path: Path, declared: ConsumerGroupSpec, handler: Handler) -> GroupSpec:
    sink = declared.sink
    return GroupSpec(
        name=declared.name,
        topics=tuple(declared.topics),
        handler=handler,
        description=declared.description,
        owner=declared.owner,
        event_types=frozenset(declared.events) if declared.events is not None else None,
        ordering=declared.ordering,
        retry=RetryPolicy(
            declared.retry.max_attempts, declared.retry.first_wait_s, declared.retry.max_wait_s
        ),
        transactional=not isinstance(sink, HttpSinkSpec),
        source=str(path),
        sink=f"http {sink.url}" if isinstance(sink, HttpSinkSpec) else f"python {sink.handler}",
    )
