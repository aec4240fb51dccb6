"""Compile a mapping document into a function from payload to drafts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hub.events.catalog import event_class
from hub.mapping import spec as s
from hub.mapping.codegen import compile_function
from hub.mapping.drafts import draft_json
from hub.mapping.errors import MappingError
from hub.mapping.inputs import InputCheck, compile_input
from hub.mapping.items import compile_items
from hub.mapping.paths import MISSING
from hub.mapping.result import Draft, Ignored, Mapped, Outcome, Quarantined
from hub.mapping.values import Context, Scope, canonical, compile_condition, compile_expr, where


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
        json, model = draft_json(event_type, fields)
        out.drafts.append(Draft(model, f"{prefix}{label}", event_class(event_type), json=json))

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
        key = canonical(raw)
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
    every = compile_items(emitter.from_, emitter.as_, singles=False)
    key = compile_expr(emitter.key)
    when = compile_condition(emitter.when) if emitter.when else None
    distinct = emitter.distinct
    children = _compile_emitters(emitter.emit, f"{label}.")

    def emit(scope: Scope, prefix: str, out: _Emission) -> None:
        seen: set[str] = set()
        for inner in every(scope):
            if when is not None and not when(inner):
                continue
            identity = key(inner)
            if identity is MISSING or identity is None:
                raise MappingError("foreach item has no key", at=where(emitter.key))
            text = canonical(identity)
            if distinct:
                if text in seen:
                    continue
                seen.add(text)
            for child in children:
                child(inner, f"{prefix}{label}[{text}]", out)

    return emit


def _compile_emitters(emitters: list[s.Emitter], prefix: str = "") -> list[EmitFn]:
    compiled = []
    for index, emitter in enumerate(emitters):
        label = f"{prefix}{index}"
        if isinstance(emitter, s.EmitEvent):
            compiled.append(_compile_event(emitter, label))
        else:
            compiled.append(_compile_foreach(emitter, label))
    return compiled


@dataclass(frozen=True)
class CompiledMapping:
    name: str
    source: Path
    input_check: InputCheck | None
    emitters: tuple[EmitFn, ...]  # the reference: closures over the expression tree
    function: Callable[[Any, Context, _Emission], None] | None = None  # the same, as generated code

    def apply(self, payload: Any, ctx: Context, *, closures: bool = False) -> Outcome:
        try:
            if self.input_check is not None:
                self.input_check(payload)
            out = _Emission([], [])
            if self.function is not None and not closures:
                self.function(payload, ctx, out)
            else:
                scope = Scope(payload, payload, ctx)
                for emitter in self.emitters:
                    emitter(scope, "", out)
        except MappingError as exc:
            return Quarantined(self.name, exc.describe(), exc.detail())
        ids = [d.local_id for d in out.drafts]
        if len(set(ids)) != len(ids):
            repeated = sorted({i for i in ids if ids.count(i) > 1})
            return Quarantined(
                self.name, f"foreach keys repeat ({', '.join(repeated)}): events need unique keys"
            )
        if not out.drafts:
            reason = (
                "; ".join(out.ignored) if out.ignored else "the mapping emitted no event for this payload"
            )
            return Ignored(self.name, reason)
        return Mapped(self.name, out.drafts)


def compile_mapping(name: str, source: Path, mapping: s.MappingSpec, connector_dir: Path) -> CompiledMapping:
    check = compile_input(mapping.input, connector_dir) if mapping.input and mapping.input.schema_ else None
    return CompiledMapping(
        name, source, check, tuple(_compile_emitters(mapping.emit)), compile_function(mapping)
    )
