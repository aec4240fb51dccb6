"""The naive stack's JSONata for conditions and emitters (naive_jsonata.py writes paths and values): a
mapping's events as `[{"type": ..., "id": <emitter label>, "data": {...}}]`."""

from __future__ import annotations

import json
from typing import Any

from hub.mapping import spec as s
from hub.mapping.parts import included_labels

_TS0 = "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01]+00:00"
_TS3 = "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001]000+00:00"
HELPERS = (
    "$pres := function($v){ $exists($v) and $v != null };"
    f'$ts := function($ms){{ $ms % 1000 = 0 ? $fromMillis($ms, "{_TS0}") : $fromMillis($ms, "{_TS3}") }};'
    '$str := function($x){ $type($x) = "number" and $x = $floor($x) ? $formatInteger($x, "0") : $string($x) };'
    '$amt := function($x){ $type($x) = "string" ? $x : $string($x) };'
)


def _lit(value: Any) -> str:
    return json.dumps(value)


class Statements:
    """Conditions and emitters; the Generator it is part of writes paths, items and values."""

    blank: bool
    parts: Any

    if False:  # what the Generator provides (for readers; bench code is not type-checked)

        def var(self, hint: str = "v") -> str: ...

        def expr(self, e: Any, env: dict[str, str]) -> str: ...

        def items(
            self, sources: Any, as_: Any, env: dict[str, str], body: Any, entries: bool = False
        ) -> str: ...

    # -- conditions

    def cond(self, c: Any, env: dict[str, str]) -> str:
        v = self.var()
        if isinstance(c, s.EqualsCond):
            return (
                f"({v} := {self.expr(c.from_, env)}; $pres({v}) and $string({v}) = {_lit(_canon(c.value))})"
            )
        if isinstance(c, s.InCond):
            values = _lit([_canon(x) for x in c.values])
            return f"({v} := {self.expr(c.from_, env)}; $pres({v}) and $string({v}) in {values})"
        if isinstance(c, s.ContainsCond):
            return (
                f'({v} := {self.expr(c.from_, env)}; $type({v}) = "array" and '
                f"{_lit(_canon(c.value))} in $map({v}, $string))"
            )
        if isinstance(c, s.ExistsCond):
            return f"$pres({self.expr(c.from_, env)})"
        if isinstance(c, s.NotCond):
            return f"$not({self.cond(c.cond, env)})"
        if isinstance(c, s.AllCond):
            return "(" + " and ".join(self.cond(x, env) for x in c.of) + ")"
        if isinstance(c, s.AnyCond):
            return "(" + " or ".join(self.cond(x, env) for x in c.of) + ")"
        if isinstance(c, s.SameCond):
            names = [self.var("s") for _ in c.of]
            binds = "; ".join(f"{n} := {self.expr(x, env)}" for n, x in zip(names, c.of, strict=True))
            present = " and ".join(f"$pres({n})" for n in names)
            equal = " and ".join(f"$string({names[0]}) = $string({n})" for n in names[1:])
            return f"({binds}; {present} and {equal})"
        if isinstance(c, s.SomeCond):
            hit = self._values_cond(c, env)
            return f"$count({hit}) > 0"
        raise NotImplementedError(type(c).__name__)

    def _values_cond(self, c: s.SomeCond, env: dict[str, str]) -> str:
        return self.items(
            c.from_, c.as_, env, lambda inner: f"({self.cond(c.where, inner)} ? true : $undefined)", c.entries
        )

    # -- emitters

    def choice(self, event: str | s.SwitchEvent, env: dict[str, str]) -> str:
        if isinstance(event, str):
            return _lit(event)
        k = self.var("k")
        text = '$error("unknown value")'
        if event.ignore:
            text = f"({k} in {_lit(list(event.ignore))} ? $undefined : {text})"
        for key, target in reversed(list(event.cases.items())):
            text = f"({k} = {_lit(key)} ? {self.choice(target, env)} : {text})"
        return f"({k} := $string({self.expr(event.from_, env)}); {text})"

    def emitters(self, emitters: list[s.Emitter], env: dict[str, str], prefix: str, label: str) -> list[str]:
        out = []
        for index, emitter in enumerate(emitters):
            here = f"{label}{index}"
            if isinstance(emitter, s.EmitEvent):
                out.append(self.event(emitter, env, prefix, here))
            elif isinstance(emitter, s.Include):
                out.append(self.include(emitter, env, prefix, included_labels(emitters, label, here)))
            else:
                out.append(self.foreach(emitter, env, prefix, here))
        return out

    def include(self, e: s.Include, env: dict[str, str], prefix: str, label: str) -> str:
        """The included mapping written out here, its `$` the root's value and @name each `with`."""
        spec = self.parts.mapping(e.mapping)
        root = self.var("root")
        binds = [f"{root} := {self.expr(e.root, env)}"]
        inner = {"$": root, "@": root}
        for name in spec.input.with_ if spec.input is not None else {}:
            var = self.var("w")
            binds.append(f"{var} := {self.expr(e.with_[name], env) if name in e.with_ else '$undefined'}")
            inner[f"@{name}"] = var
        saved, self.blank = self.blank, blank_of(spec)
        body = ", ".join(self.emitters(spec.emit, inner, prefix, label))
        self.blank = saved
        made = f"({'; '.join(binds)}; [{body}])"
        return f"({self.cond(e.when, env)} ? {made} : $undefined)" if e.when else made

    def event(self, e: s.EmitEvent, env: dict[str, str], prefix: str, label: str) -> str:
        t = self.var("t")
        data = self.expr(s.ObjectExpr(type="object", fields=e.data), env)
        for name, fields in e.data_by_event.items():
            extra = self.expr(s.ObjectExpr(type="object", fields=fields), env)
            data = f"$merge([{data}, {t} = {_lit(name)} ? {extra} : {{}}])"
        made = f'({t} := {self.choice(e.event, env)}; $exists({t}) ? {{"type": {t}, "id": {prefix} & {_lit(label)}, "data": {data}}} : $undefined)'
        return f"({self.cond(e.when, env)} ? {made} : $undefined)" if e.when else made

    def foreach(self, e: s.ForEach, env: dict[str, str], prefix: str, label: str) -> str:
        key = self.var("key")
        rows, r = self.var("rows"), self.var("r")

        def body(inner: dict[str, str]) -> str:
            keep = self.cond(e.when, inner) if e.when else "true"
            keyed = f"$string({self.expr(e.key, inner)})"
            # Each item as a closure-free record: its key and its events, the prefix holding the key.
            children = self.emitters(
                e.emit, inner, f'({prefix} & {_lit(label)} & "[" & {key} & "]")', f"{label}."
            )
            return f'({keep} ? ({key} := {keyed}; {{"key": {key}, "events": [{", ".join(children)}]}}) : $undefined)'

        kept = f"{rows}"
        if e.distinct:
            kept = f"$filter({rows}, function({r}, $i){{ $not({r}.key in $filter({rows}, function($x, $j){{ $j < $i }}).key) }})"
        return f"({rows} := {self.items(e.from_, e.as_, env, body, e.entries)}; [{kept}.events])"

    def mapping(self, spec: s.MappingSpec) -> str:
        self.blank = blank_of(spec)
        env = {"$": "$$", "@": "$$"}
        for name in spec.input.with_ if spec.input is not None else {}:
            env[f"@{name}"] = "$undefined"
        parts = self.emitters(spec.emit, env, '""', "")
        return "(" + HELPERS + "[" + ", ".join(parts) + "])"


def blank_of(spec: s.MappingSpec) -> bool:
    return spec.input is not None and spec.input.empty_strings == "missing"


def _canon(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
