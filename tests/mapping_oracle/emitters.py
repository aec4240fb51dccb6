"""The oracle's emitters: events, switches and foreach loops as closures, and a mapping applied with them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hub.events.catalog import event_class
from hub.mapping import spec as s
from hub.mapping.context import Context
from hub.mapping.convert import canonical
from hub.mapping.errors import MappingError
from hub.mapping.inputs import InputCheck, compile_input
from hub.mapping.limits import check_depth
from hub.mapping.parts import Parts, include_locations, included_labels, relocated
from hub.mapping.paths import MISSING
from hub.mapping.result import Draft, Outcome, Quarantined, outcome_of
from hub.mapping.spec import where
from tests.mapping_oracle.drafts import validate
from tests.mapping_oracle.items import compile_items
from tests.mapping_oracle.scope import Scope, compile_condition, compile_expr, parts, using


@dataclass(slots=True)
class _Emission:
    drafts: list[Draft]
    ignored: list[str]


EmitFn = Callable[[Scope, str, _Emission], None]


def _compile_event(emitter: s.EmitEvent, label: str) -> EmitFn:
    data = [(name, compile_expr(expr)) for name, expr in emitter.data.items()]
    extra = {
        event: [(name, compile_expr(expr)) for name, expr in fields.items()]
        for event, fields in emitter.data_by_event.items()
    }
    when = compile_condition(emitter.when) if emitter.when else None
    choose = _compile_choice(emitter.event)

    def emit(scope: Scope, prefix: str, out: _Emission) -> None:
        if when is not None and not when(scope):
            return
        event_type = choose(scope, out)
        if event_type is None:
            return
        fields = {}
        for name, fn in [*data, *extra.get(event_type, ())]:
            value = fn(scope)
            if value is not MISSING:
                fields[name] = value
        json = validate(event_type, fields)
        out.drafts.append(Draft(None, f"{prefix}{label}", event_class(event_type), json=json))

    return emit


Choice = Callable[[Scope, _Emission], str | None]


def _compile_choice(event: str | s.SwitchEvent) -> Choice:
    if isinstance(event, str):
        name = event
        return lambda _scope, _out: name
    source, path = compile_expr(event.from_), where(event.from_)
    cases = {key: _compile_choice(target) for key, target in event.cases.items()}
    ignore = dict(event.ignore)
    known = [*cases, *ignore]

    def choose(scope: Scope, out: _Emission) -> str | None:
        raw = source(scope)
        if raw is MISSING or raw is None:
            raise MappingError("status to choose the event from is missing", at=path)
        key = canonical(raw, path)
        if key in cases:
            return cases[key](scope, out)
        if key in ignore:
            reason = f"{key}: {ignore[key]}"
            if reason not in out.ignored:
                out.ignored.append(reason)
            return None
        raise MappingError(f"unknown value {key!r}", at=path, value=raw, known=known)

    return choose


def _compile_foreach(emitter: s.ForEach, label: str) -> EmitFn:
    every = compile_items(emitter.from_, emitter.as_, singles=False, entries=emitter.entries)
    key = compile_expr(emitter.key)
    when = compile_condition(emitter.when) if emitter.when else None
    distinct = emitter.distinct
    children = _compile_emitters(emitter.emit, f"{label}.")

    source = emitter.from_ if isinstance(emitter.from_, str) else " + ".join(emitter.from_)

    def emit(scope: Scope, prefix: str, out: _Emission) -> None:
        seen: set[str] = set()
        for index, inner in enumerate(every(scope)):
            try:
                if when is not None and not when(inner):
                    continue
                identity = key(inner)
                if identity is MISSING or identity is None:
                    raise MappingError("foreach item has no key", at=where(emitter.key))
                text = canonical(identity, where(emitter.key))
                if distinct:
                    if text in seen:
                        continue
                    seen.add(text)
                for child in children:
                    child(inner, f"{prefix}{label}[{text}]", out)
            except MappingError as exc:  # name the item (an order line) the error is in
                raise exc.within(source, index) from None

    return emit


def _compile_include(emitter: s.Include, inner: str) -> EmitFn:
    included = parts().mapping(emitter.mapping)
    check = parts().input_check(emitter.mapping)
    root, root_at = compile_expr(emitter.root), where(emitter.root)
    given = {name: compile_expr(e) for name, e in emitter.with_.items()}
    when = compile_condition(emitter.when) if emitter.when else None
    children = _compile_emitters(included.emit, inner)
    declared, blank = _declared(included)
    locations = include_locations(emitter)

    def emit(scope: Scope, prefix: str, out: _Emission) -> None:
        if when is not None and not when(scope):
            return
        value = root(scope)
        if value is MISSING or value is None:
            raise MappingError(f"nothing to map with {emitter.mapping}: its root is missing", at=root_at)
        names = {name: given[name](scope) if name in given else MISSING for name in declared}
        if check is not None:
            check(value)
        inner = Scope(value, value, scope.ctx, names, blank)
        try:
            for child in children:
                child(inner, prefix, out)
        except MappingError as exc:
            raise relocated(exc, *locations) from None

    return emit


def _declared(mapping: s.MappingSpec) -> tuple[list[str], bool]:
    """The names a mapping declares under input.with, and whether it reads empty strings as missing."""
    if mapping.input is None:
        return [], False
    return list(mapping.input.with_), mapping.input.empty_strings == "missing"


def _compile_emitters(emitters: list[s.Emitter], prefix: str = "") -> list[EmitFn]:
    compiled = []
    for index, emitter in enumerate(emitters):
        label = f"{prefix}{index}"
        if isinstance(emitter, s.EmitEvent):
            compiled.append(_compile_event(emitter, label))
        elif isinstance(emitter, s.Include):
            compiled.append(_compile_include(emitter, included_labels(emitters, prefix, label)))
        else:
            compiled.append(_compile_foreach(emitter, label))
    return compiled


@dataclass(frozen=True)
class OracleMapping:
    name: str
    source: Path
    input_check: InputCheck | None
    emitters: tuple[EmitFn, ...]
    names: tuple[str, ...] = ()
    blank: bool = False

    def apply(self, payload: Any, ctx: Context, *, depth_checked: bool = False) -> Outcome:
        try:
            if not depth_checked:
                check_depth(payload)
            if self.input_check is not None:
                self.input_check(payload)
            out = _Emission([], [])
            scope = Scope(payload, payload, ctx, dict.fromkeys(self.names, MISSING), self.blank)
            for emitter in self.emitters:
                emitter(scope, "", out)
        except MappingError as exc:
            return Quarantined(self.name, exc.summary(), exc.detail())
        return outcome_of(self.name, out.drafts, out.ignored)


def compile_mapping(
    name: str, source: Path, mapping: s.MappingSpec, connector_dir: Path, found: Parts | None = None
) -> OracleMapping:
    check = compile_input(mapping.input, connector_dir) if mapping.input and mapping.input.schema_ else None
    with using(found or Parts(folder=connector_dir)):
        emitters = tuple(_compile_emitters(mapping.emit))
    names, blank = _declared(mapping)
    return OracleMapping(name, source, check, emitters, tuple(names), blank)
