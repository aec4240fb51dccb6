"""Emitters as generated code: the chosen event type, the draft's fields, `foreach` loops and their local
ids; and the generated function itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hub.mapping import spec as s
from hub.mapping.codegen.base import Base, Env
from hub.mapping.parts import include_locations, included_labels
from hub.mapping.spec import where


class Emitters(Base):
    def choice(self, event: str | s.SwitchEvent, env: Env, target: str) -> None:
        """Set target to the chosen event type, or None (ignored, its reason noted)."""
        if isinstance(event, str):
            self.w.line(f"{target} = {self.w.const(event)}")
            return
        path = self.w.const(where(event.from_))
        raw = self.value(event.from_, env)
        with self.w.block(f"if {raw} is MISSING or {raw} is None:"):
            message = self.w.const("status to choose the event from is missing")
            self.w.line(f"raise MappingError({message}, at={path})")
        key = self.w.tmp("k")
        self.w.line(f"{key} = canonical({raw}, {path})")
        first = True
        for case, chosen in event.cases.items():
            with self.w.block(f"{'if' if first else 'elif'} {key} == {self.w.const(case)}:"):
                self.choice(chosen, env, target)
            first = False
        for case, why in event.ignore.items():
            with self.w.block(f"{'if' if first else 'elif'} {key} == {self.w.const(case)}:"):
                reason = self.w.const(f"{case}: {why}")
                self.w.line(f"if {reason} not in out.ignored: out.ignored.append({reason})")
                self.w.line(f"{target} = None")
            first = False
        known = self.w.const([*event.cases, *event.ignore])
        with self.w.block("else:"):
            self.w.line(
                f"raise MappingError(f'unknown value {{{key}!r}}', at={path}, value={raw}, known={known})"
            )

    def emitters(self, emitters: list[s.Emitter], env: Env, prefix: str, label_prefix: str) -> None:
        for index, emitter in enumerate(emitters):
            label = f"{label_prefix}{index}"
            if isinstance(emitter, s.EmitEvent):
                self.event(emitter, env, prefix, label)
            elif isinstance(emitter, s.Include):
                self.include(emitter, env, prefix, label, included_labels(emitters, label_prefix, label))
            else:
                self.foreach(emitter, env, prefix, label)

    def event(self, emitter: s.EmitEvent, env: Env, prefix: str, label: str) -> None:
        depth = self.w.depth
        if emitter.when is not None:
            holds = self.cond(emitter.when, env)
            self.w.line(f"if {holds}:")
            self.w.depth += 1
        chosen = self.w.tmp("et")
        self.choice(emitter.event, env, chosen)
        with self.w.block(f"if {chosen} is not None:"):
            fields = self.w.tmp("f")
            self.w.line(f"{fields} = {{}}")
            for name, expr in emitter.data.items():
                self.assign(fields, name, expr, env)
            first = True
            for event_type, extra in emitter.data_by_event.items():
                with self.w.block(f"{'if' if first else 'elif'} {chosen} == {self.w.const(event_type)}:"):
                    for name, expr in extra.items():
                        self.assign(fields, name, expr, env)
                first = False
            local_id = f"{prefix} + {self.w.const(label)}" if prefix != "''" else self.w.const(label)
            self.w.line(f"out.drafts.append(_make_draft({chosen}, {fields}, {local_id}))")
        self.w.depth = depth

    def foreach(self, emitter: s.ForEach, env: Env, prefix: str, label: str) -> None:
        seen = self.w.tmp("seen")
        key_at = self.w.const(where(emitter.key))
        if emitter.distinct:
            self.w.line(f"{seen} = set()")

        count = self.w.tmp("i")
        self.w.line(f"{count} = -1")

        def body(inner: Env) -> None:
            self.within(emitter.from_, count, lambda: each(inner))

        def each(inner: Env) -> None:
            depth = self.w.depth
            if emitter.when is not None:
                holds = self.cond(emitter.when, inner)
                self.w.line(f"if {holds}:")
                self.w.depth += 1
            identity = self.value(emitter.key, inner)
            with self.w.block(f"if {identity} is MISSING or {identity} is None:"):
                message = self.w.const("foreach item has no key")
                self.w.line(f"raise MappingError({message}, at={key_at})")
            text = self.w.tmp("key")
            self.w.line(f"{text} = canonical({identity}, {key_at})")
            if emitter.distinct:
                self.w.line(f"if {text} in {seen}: continue")
                self.w.line(f"{seen}.add({text})")
            child_prefix = self.w.tmp("p")
            head = f"{prefix} + " if prefix != "''" else ""
            self.w.line(f"{child_prefix} = {head}{self.w.const(label)} + '[' + {text} + ']'")
            self.emitters(emitter.emit, inner, child_prefix, f"{label}.")
            self.w.depth = depth

        self.items(emitter.from_, emitter.as_, env, False, body, emitter.entries)

    def include(self, emitter: s.Include, env: Env, prefix: str, label: str, inner: str) -> None:
        """The included mapping's emitters, written out here with `$` its root and @name its `with`
        values; their labels start with `inner` (hub.mapping.parts.included_labels)."""
        included = self.parts.mapping(emitter.mapping)
        depth = self.w.depth
        if emitter.when is not None:
            holds = self.cond(emitter.when, env)
            self.w.line(f"if {holds}:")
            self.w.depth += 1
        root = self.value(emitter.root, env)
        with self.w.block(f"if {root} is MISSING or {root} is None:"):
            message = self.w.const(f"nothing to map with {emitter.mapping}: its root is missing")
            self.w.line(f"raise MappingError({message}, at={self.w.const(where(emitter.root))})")
        given = {name: self.value(value, env) for name, value in emitter.with_.items()}
        check = self.parts.input_check(emitter.mapping)
        if check is not None:
            self.w.line(f"{self.w.const(check)}({root})")
        saved = self.blank
        self.blank = _blank(included)
        # Its errors name places in this payload: `$` is the root's path, @name what `with` gave.
        with self.w.block("try:"):
            self.emitters(included.emit, self.scope(included, root, given), prefix, inner)
        with self.w.block("except MappingError as exc:"):
            at, names = include_locations(emitter)
            self.w.line(f"raise relocated(exc, {self.w.const(at)}, {self.w.const(names)}) from None")
        self.blank = saved
        self.w.depth = depth

    def scope(self, mapping: s.MappingSpec, root: str, given: dict[str, str]) -> Env:
        """`$` and `@` the root; each name the mapping declares, its given value or missing."""
        env = {"$": root, "@": root}
        for name in mapping.input.with_ if mapping.input is not None else {}:
            env[f"@{name}"] = given.get(name, "MISSING")
        return env

    def function(self, mapping: s.MappingSpec) -> Callable[[Any, Any, Any], None]:
        self.blank = _blank(mapping)
        self.emitters(mapping.emit, self.scope(mapping, "root", {}), "''", "")
        source = "def emit(root, ctx, out):\n" + "\n".join(self.w.lines) + "\n"
        namespace = dict(self.w.ns)
        exec(compile(source, "<mapping>", "exec"), namespace)
        fn: Callable[[Any, Any, Any], None] = namespace["emit"]
        fn.__doc__ = source  # what was generated, for reading
        return fn


def _blank(mapping: s.MappingSpec) -> bool:
    return mapping.input is not None and mapping.input.empty_strings == "missing"
