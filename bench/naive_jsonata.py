"""The naive stack's mappings: one JSONata expression per mapping, generated from the mapping document.

The expression returns the mapping's events as `[{"type": ..., "id": <emitter label>, "data": {...}}]`,
reading `$$` as the payload and `$connector`, `$account`, `$route`, `$routing_value`, `$received_at` as the
delivery's context, `$headers` as its request headers (names lower-cased). An included mapping is written
out in place; a lookup table is an object literal. It is what someone writing the mapping in JSONata by hand would write: JSONata's own numbers
(binary doubles), times through $fromMillis/$toMillis, money amounts that arrive as numbers formatted
with two decimals (the marketplaces' convention in the samples). The benchmark checks, payload by payload,
that the result equals the hub's event data, so the comparison is between two stacks doing the same work.
"""

from __future__ import annotations

import json
from itertools import count
from typing import Any

from naive_jsonata_statements import HELPERS, Statements

from hub.mapping import spec as s
from hub.mapping.paths import EVERY, parse
from hub.mapping.spec import names_of


def _lit(value: Any) -> str:
    return json.dumps(value)


_BLANK = '($type({v}) = "string" and $trim({v}) = "")'
_NOT_BLANK_ITEMS = '[$not($type($) = "string" and $trim($) = "")]'


class Generator(Statements):
    def __init__(self, parts: Any = None, strict: bool = False) -> None:
        self._ids = count()
        # Steps only into objects and arrays as a JSON path does (JSONata maps a name over an array's
        # elements): what recognising a payload's shape needs.
        self.strict = strict
        self.parts = parts  # the connector's mappings and lookup tables (hub.mapping.parts.Parts)
        self.blank = False  # the mapping's `input.empty_strings: missing`

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
            if self.strict and EVERY not in segments:
                kind = "array" if isinstance(seg, int) else "object"
                step = f"[{seg}]" if isinstance(seg, int) else f".`{seg}`"
                text = f'($type({text}) = "{kind}" ? ({text}){step} : $undefined)'
                continue
            text += f"[{seg}]" if isinstance(seg, int) else f".`{seg}`"
        if EVERY in segments:
            return f"[{text}]{_NOT_BLANK_ITEMS if self.blank else ''}"
        if self.blank:
            v = self.var("b")
            return f"({v} := {text}; {_BLANK.format(v=v)} ? $undefined : {v})"
        return f"({text})"

    def items(
        self, sources: str | list[str], as_: Any, env: dict[str, str], body: Any, entries: bool = False
    ) -> str:
        """JSONata giving, flattened, body(inner env) for every item the `from` paths name; with `entries`,
        the items of the last level are the object's {key, value} pairs."""
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
                if entries and depth == len(levels) - 1:
                    pairs = f'$each({text}{steps}, function($v, $k){{ {{"key": $k, "value": $v}} }})'
                    blocks.append(f"{pairs}.({var} := $; ")
                else:
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
        if getattr(e, "empty", None) == "missing":
            b = self.var("b")
            src = f"({b} := {src}; {_BLANK.format(v=b)} ? $undefined : {b})"
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

    def x_HeaderExpr(self, e: s.HeaderExpr, env: dict[str, str]) -> str:
        v = self.var("h")
        src = f"$lookup($headers, {_lit(e.name.lower())})"
        missing = _lit(e.default) if e.default is not None else "$undefined"
        if e.required and e.default is None:
            missing = '$error("required header value is missing")'
        return f"({v} := {src}; $pres({v}) ? {v} : {missing})"

    def x_LookupExpr(self, e: s.LookupExpr, env: dict[str, str]) -> str:
        column = {key: row.get(e.field) for key, row in self.parts.table(e.table).rows.items()}
        column = {k: v for k, v in column.items() if v is not None}
        found = f"$lookup({_lit(column)}, $string($V))"
        k, r = self.var("k"), self.var("r")
        src = self.expr(e.from_, env)
        if e.empty == "missing":
            src = f"({k} := {src}; {_BLANK.format(v=k)} ? $undefined : {k})"
        missing = _lit(e.default) if e.default is not None else "$undefined"
        if e.required and e.default is None:
            missing = '$error("no row")'
        return f"({k} := {src}; {r} := $pres({k}) ? {found.replace('$V', k)} : $undefined; $pres({r}) ? {r} : {missing})"

    def x_StringExpr(self, e: s.StringExpr, env: dict[str, str]) -> str:
        # Integers through $formatInteger: $string goes through a double and loses ids beyond 2^53.
        return self.sourced(e, self.expr(e.from_, env), "$str($V)")

    def x_IntExpr(self, e: s.IntExpr, env: dict[str, str]) -> str:
        return self.sourced(e, self.expr(e.from_, env), "$number($V)")

    def x_BoolExpr(self, e: s.BoolExpr, env: dict[str, str]) -> str:
        convert = '($type($V) = "boolean" ? $V : $lowercase($trim($V)) = "true")'
        return self.sourced(e, self.expr(e.from_, env), convert)

    def x_TimestampExpr(self, e: s.TimestampExpr, env: dict[str, str]) -> str:
        if e.timezone not in (None, "UTC"):
            raise NotImplementedError("timestamp timezone other than UTC")
        iso = '($contains($V, "+00:00") and $length($V) <= 25 ? $V : $ts($toMillis($V)))'
        if e.timezone == "UTC":  # an ISO time without an offset is UTC
            iso = '($ts($toMillis($contains($V, /(Z|[+-][0-9][0-9]:?[0-9][0-9])$/) ? $V : $V & "Z")))'
        convert = {
            "epoch_s": "$ts($number($V) * 1000)",
            "epoch_ms": "$ts($number($V))",
            "iso8601": iso,
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
        if e.negate:  # the sign flipped on the text: "-10.00" is "10.00"
            amount = f'($t := $amt({a}); $number($t) = 0 ? $replace($t, "-", "") : $substring($t, 0, 1) = "-" ? $substring($t, 1) : "-" & $t)'
        if e.empty == "missing":
            b = self.var("b")
            raw = self.expr(e.amount, env)
            return (
                f"({b} := {raw}; {a} := {_BLANK.format(v=b)} ? $undefined : {b}; {c} := {c_src}; "
                f'$pres({a}) ? {{"amount": {amount}, "currency": {c}}} : $undefined)'
            )
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
        listed = self.items(e.from_, e.as_, env, body, e.entries)
        return f"({src} := {self.path(e.from_, env)}; $pres({src}) ? {listed} : $undefined)"

    def _values(self, e: Any, env: dict[str, str], value: Any) -> str:
        def body(inner: dict[str, str]) -> str:
            v = self.expr(value, inner)
            return f"({self.cond(e.where, inner)} ? {v} : $undefined)" if e.where else v

        return self.items(e.from_, e.as_, env, body, getattr(e, "entries", False))

    def x_SumExpr(self, e: s.SumExpr, env: dict[str, str]) -> str:
        pairs = self.var("p")
        if e.currency is None:
            found = self._values(e, env, e.amount)
            total = _summed(f"{pairs}", "$")
            return f"({pairs} := {found}[$pres($)]; $count({pairs}) = 0 ? $undefined : {total})"
        obj = s.ObjectExpr(type="object", fields={"a": e.amount, "c": e.currency})
        return (
            f"({pairs} := {self._values(e, env, obj)}[$pres(a)]; $count({pairs}) = 0 ? $undefined : "
            f'$count($distinct({pairs}.c)) > 1 ? $error("several currencies") : '
            f'{{"amount": {_summed(pairs, "a")}, "currency": {pairs}[0].c}})'
        )

    def x_PickExpr(self, e: s.PickExpr, env: dict[str, str]) -> str:
        found = self.var("f")
        if e.of is not None:
            values = "[" + ", ".join(self.expr(x, env) for x in e.of) + "][$pres($)]"
            missing = _lit(e.default) if e.default is not None else "$undefined"
            if all(isinstance(x, s.TimestampExpr) for x in e.of):  # times: compared as instants
                best = "$max" if e.type == "max" else "$min"
                chosen = f"{found}[$toMillis($) = {best}({found}.$toMillis($))][0]"
            else:
                chosen = f"{'$max' if e.type == 'max' else '$min'}({found})"
            return f"({found} := {values}; $count({found}) = 0 ? {missing} : {chosen})"
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


def _summed(items: str, amount: str) -> str:
    """The sum as text: with as many decimals as the amounts written as text have ("209.00" stays so)."""
    places = (
        f'$max({items}.($type({amount}) = "string" and $contains({amount}, ".") ? '
        f'$length($substringAfter({amount}, ".")) : 0))'
    )
    total = f"$sum({items}.($number({amount})))"
    return (
        f'($d := {places}; $d > 0 ? $formatNumber({total}, "0." & $join([1..$d].("0"))) : $string({total}))'
    )


def generate(spec: s.MappingSpec, parts: Any = None) -> str:
    return Generator(parts).mapping(spec)


def condition(cond: Any) -> str:
    """A condition over the payload alone (envelopes, shapes) as one JSONata expression."""
    return "(" + HELPERS + Generator(strict=True).cond(cond, {"$": "$$", "@": "$$"}) + ")"


def value(expr: Any) -> str:
    """An expression over the payload alone (the routing field) as one JSONata expression."""
    return "(" + HELPERS + Generator(strict=True).expr(expr, {"$": "$$", "@": "$$"}) + ")"
