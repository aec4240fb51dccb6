"""The naive stack's mappings: one JSONata expression per mapping, generated from the mapping document.

The expression returns the mapping's events as `[{"type": ..., "id": <emitter label>, "data": {...}}]`,
reading `$$` as the payload and `$connector`, `$account`, `$route`, `$received_at` as the delivery's
context. It is what someone writing the mapping in JSONata by hand would write: JSONata's own numbers
(binary doubles), times through $fromMillis/$toMillis, money amounts that arrive as numbers formatted
with two decimals (the marketplaces' convention in the samples). The benchmark checks, payload by payload,
that the result equals the hub's event data, so the comparison is between two stacks doing the same work.
"""

from __future__ import annotations

import json
from itertools import count
from typing import Any

from hub.mapping import spec as s
from hub.mapping.paths import EVERY, parse
from hub.mapping.spec import names_of

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


class Generator:
    def __init__(self) -> None:
        self._ids = count()

    def var(self, hint: str = "v") -> str:
        return f"${hint}{next(self._ids)}"

    # -- paths and items

    def path(self, path: str, env: dict[str, str]) -> str:
        anchor, segments = parse(path)
        out = env.get(anchor)
        if out is None:
            raise ValueError(f"unbound anchor {anchor} in {path}")
        text = out
        for seg in segments:
            if seg is EVERY:
                continue
            text += f"[{seg}]" if isinstance(seg, int) else f".`{seg}`"
        if EVERY in segments:
            return f"[{text}]"
        return f"({text})"

    def items(self, sources: str | list[str], as_: Any, env: dict[str, str], body: Any) -> str:
        """JSONata giving, flattened, body(inner env) for every item the `from` paths name."""
        parts = []
        for path in [sources] if isinstance(sources, str) else sources:
            anchor, segments = parse(path)
            segs = list(segments)
            while segs and segs[-1] is EVERY:
                segs.pop()
            levels: list[list[Any]] = [[]]
            for seg in segs:
                if seg is EVERY:
                    levels.append([])
                else:
                    levels[-1].append(seg)
            names = names_of(as_)
            inner = dict(env)
            text = env[anchor]
            blocks: list[str] = []
            for depth, level in enumerate(levels):
                steps = "".join(f"[{g}]" if isinstance(g, int) else f".`{g}`" for g in level)
                var = self.var("e")
                name = names[depth] if depth < len(names) else None
                if name:
                    inner[f"@{name}"] = var
                if depth == len(levels) - 1:
                    inner["@"] = var
                blocks.append(f"{text}{steps}.({var} := $; ")
                text = "$"
            parts.append("".join(blocks) + body(inner) + ")" * len(blocks))
        return "[" + ", ".join(parts) + "]" if len(parts) > 1 else "[" + parts[0] + "]"

    # -- values

    def expr(self, e: Any, env: dict[str, str]) -> str:
        if e is None or isinstance(e, bool | int) or (isinstance(e, str) and e[:1] not in "$@"):
            return _lit(e)
        if isinstance(e, str):
            return self.path(e, env)
        method = getattr(self, "x_" + type(e).__name__)
        return str(method(e, env))

    def sourced(self, e: Any, src: str, convert: str) -> str:
        v = self.var()
        if e.default is not None:
            missing = convert.replace("$V", _lit(e.default))
        elif e.required:
            missing = f'$error("required {e.type} value is missing")'
        else:
            missing = "$undefined"
        return f"({v} := {src}; $pres({v}) ? {convert.replace('$V', v)} : {missing})"

    def x_PathExpr(self, e: s.PathExpr, env: dict[str, str]) -> str:
        v = self.var()
        src = self.path(e.path, env)
        missing = _lit(e.default) if e.default is not None else "$undefined"
        if e.required and e.default is None:
            missing = '$error("required path value is missing")'
        return f"({v} := {src}; $pres({v}) ? {v} : {missing})"

    def x_ConstExpr(self, e: s.ConstExpr, env: dict[str, str]) -> str:
        return _lit(e.value)

    def x_ContextExpr(self, e: s.ContextExpr, env: dict[str, str]) -> str:
        return f"${e.name}"

    def x_StringExpr(self, e: s.StringExpr, env: dict[str, str]) -> str:
        # Integers through $formatInteger: $string goes through a double and loses ids beyond 2^53.
        return self.sourced(e, self.expr(e.from_, env), "$str($V)")

    def x_IntExpr(self, e: s.IntExpr, env: dict[str, str]) -> str:
        return self.sourced(e, self.expr(e.from_, env), "$number($V)")

    def x_BoolExpr(self, e: s.BoolExpr, env: dict[str, str]) -> str:
        convert = '($type($V) = "boolean" ? $V : $lowercase($trim($V)) = "true")'
        return self.sourced(e, self.expr(e.from_, env), convert)

    def x_TimestampExpr(self, e: s.TimestampExpr, env: dict[str, str]) -> str:
        if e.timezone:
            raise NotImplementedError("timestamp timezone")
        convert = {
            "epoch_s": "$ts($number($V) * 1000)",
            "epoch_ms": "$ts($number($V))",
            "iso8601": '($contains($V, "+00:00") and $length($V) <= 25 ? $V : $ts($toMillis($V)))',
        }[e.format]
        return self.sourced(e, self.expr(e.from_, env), convert)

    def x_EnumExpr(self, e: s.EnumExpr, env: dict[str, str]) -> str:
        table, k = _lit(e.values), self.var("k")
        convert = (
            f'({k} := $string($V); {k} in $keys({table}) ? $lookup({table}, {k}) : $error("unknown value"))'
        )
        return self.sourced(e, self.expr(e.from_, env), convert)

    def x_MoneyExpr(self, e: s.MoneyExpr, env: dict[str, str]) -> str:
        a, c = self.var("a"), self.var("c")
        amount, c_src = f"$amt({a})", self.expr(e.currency, env)
        if e.per is not None:
            u = self.var("u")
            amount = f"$amt($number({a}) / {u})"
            return (
                f"({a} := {self.expr(e.amount, env)}; {c} := {c_src}; {u} := $number({self.expr(e.per, env)}); "
                f'$pres({a}) and {u} != 0 ? {{"amount": {amount}, "currency": {c}}} : $undefined)'
            )
        return (
            f"({a} := {self.expr(e.amount, env)}; {c} := {c_src}; "
            f'$pres({a}) ? {{"amount": {amount}, "currency": {c}}} : $undefined)'
        )

    def x_ListExpr(self, e: s.ListExpr, env: dict[str, str]) -> str:
        def body(inner: dict[str, str]) -> str:
            item = self.expr(e.item, inner)
            return f"({self.cond(e.where, inner)} ? {item} : $undefined)" if e.where else item

        src = self.var("l")
        return f"({src} := {self.path(e.from_, env)}; $pres({src}) ? {self.items(e.from_, e.as_, env, body)} : $undefined)"

    def _values(self, e: Any, env: dict[str, str], value: Any) -> str:
        def body(inner: dict[str, str]) -> str:
            v = self.expr(value, inner)
            return f"({self.cond(e.where, inner)} ? {v} : $undefined)" if e.where else v

        return self.items(e.from_, e.as_, env, body)

    def x_SumExpr(self, e: s.SumExpr, env: dict[str, str]) -> str:
        if e.currency is None:
            raise NotImplementedError("sum without currency")
        pairs = self.var("p")
        obj = s.ObjectExpr(type="object", fields={"a": e.amount, "c": e.currency})
        return (
            f"({pairs} := {self._values(e, env, obj)}[$pres(a)]; $count({pairs}) = 0 ? $undefined : "
            f'$count($distinct({pairs}.c)) > 1 ? $error("several currencies") : '
            f'{{"amount": $string($sum({pairs}.($number(a)))), "currency": {pairs}[0].c}})'
        )

    def x_PickExpr(self, e: s.PickExpr, env: dict[str, str]) -> str:
        found = self.var("f")
        chosen = {"first": f"{found}[0]", "max": f"$sort({found})[-1]", "min": f"$sort({found})[0]"}[e.type]
        missing = _lit(e.default) if e.default is not None else "$undefined"
        return f"({found} := {self._values(e, env, e.value)}[$ != null]; $count({found}) = 0 ? {missing} : {chosen})"

    def x_HoldsExpr(self, e: s.HoldsExpr, env: dict[str, str]) -> str:
        return self.cond(e.cond, env)

    def x_ObjectExpr(self, e: s.ObjectExpr, env: dict[str, str]) -> str:
        return "{" + ", ".join(f"{_lit(k)}: {self.expr(v, env)}" for k, v in e.fields.items()) + "}"

    def x_CoalesceExpr(self, e: s.CoalesceExpr, env: dict[str, str]) -> str:
        text = "$undefined"
        for option in reversed(e.of):
            v = self.var("o")
            text = f"({v} := {self.expr(option, env)}; $pres({v}) ? {v} : {text})"
        return text

    def x_FormatExpr(self, e: s.FormatExpr, env: dict[str, str]) -> str:
        names = {name: self.var("f") for name in e.args}
        binds = "; ".join(f"{names[n]} := {self.expr(x, env)}" for n, x in e.args.items())
        present = " and ".join(f"$pres({v})" for v in names.values())
        pieces = []
        template = e.template
        while template:
            start = template.find("{")
            if start < 0:
                pieces.append(_lit(template))
                break
            if start:
                pieces.append(_lit(template[:start]))
            end = template.index("}", start)
            pieces.append(f"$string({names[template[start + 1 : end]]})")
            template = template[end + 1 :]
        return f"({binds}; {present} ? {' & '.join(pieces)} : $undefined)"

    def x_CaseExpr(self, e: s.CaseExpr, env: dict[str, str]) -> str:
        text = self.expr(e.otherwise, env) if e.otherwise is not None else "$undefined"
        for branch in reversed(e.cases):
            text = f"({self.cond(branch.when, env)} ? {self.expr(branch.value, env)} : {text})"
        return text

    def x_JoinExpr(self, e: s.JoinExpr, env: dict[str, str]) -> str:
        j, t = self.var("j"), self.var("t")
        texts = f"$distinct({t})" if e.distinct else t
        return (
            f"({j} := {self.expr(e.from_, env)}; {t} := [$map([{j}][$ != null], $string)]; "
            f"$pres({j}) and $count({t}) > 0 ? $join({texts}, {_lit(e.separator)}) : $undefined)"
        )

    def x_ArrayExpr(self, e: s.ArrayExpr, env: dict[str, str]) -> str:
        parts = ", ".join(self.expr(x, env) for x in e.of)
        return f"[[{parts}][$ != null]]"

    def x_KeysExpr(self, e: s.KeysExpr, env: dict[str, str]) -> str:
        v = self.var()
        return f'({v} := {self.expr(e.from_, env)}; $type({v}) = "object" ? [$keys({v})] : $undefined)'

    def x_JsonataExpr(self, e: s.JsonataExpr, env: dict[str, str]) -> str:
        return f"($item := {env['@']}; $$.({e.expr}))"

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
            c.from_, c.as_, env, lambda inner: f"({self.cond(c.where, inner)} ? true : $undefined)"
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
            else:
                out.append(self.foreach(emitter, env, prefix, here))
        return out

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
        return f"({rows} := {self.items(e.from_, e.as_, env, body)}; [{kept}.events])"

    def mapping(self, spec: s.MappingSpec) -> str:
        parts = self.emitters(spec.emit, {"$": "$$", "@": "$$"}, '""', "")
        return "(" + HELPERS + "[" + ", ".join(parts) + "])"


def _canon(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def generate(spec: s.MappingSpec) -> str:
    return Generator().mapping(spec)
