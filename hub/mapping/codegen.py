"""Compile a whole mapping into one Python function, through generated source.

The closures of values.py (one Python call per node of the expression tree, a Scope object per item) are
the reference semantics; this module writes the same evaluation out as straight-line code: paths become
dictionary look-ups, `from` items become nested loops, names bound by `as:` become local variables, and
every node is evaluated in the same order and raises the same MappingError as its closure would. What is
rare or has no gain from being inlined (JSONata, ISO timestamps, decimals, joins) calls the closure of
values.py with a Scope built on the spot.

The generated function is `emit(root, ctx, out)`: it appends Drafts and ignore reasons to `out`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from hub.events.catalog import event_class
from hub.mapping import spec as s
from hub.mapping.convert import (
    CURRENCY,
    EPOCH,
    canonical,
    per_unit,
    quantize,
    to_bool,
    to_decimal,
    to_int,
    to_string,
)
from hub.mapping.drafts import draft_json, draft_model, json_form
from hub.mapping.errors import MappingError
from hub.mapping.items import names_of
from hub.mapping.paths import EVERY, MISSING, NotAnArray, parse, walker
from hub.mapping.result import Draft
from hub.mapping.values import Scope, compile_expr, where

Env = dict[str, str]  # "$", "@", "@name" -> the local variable holding it


def _make_draft(event_type: str, fields: dict[str, Any], local_id: str) -> Draft:
    data, model = draft_json(event_type, fields)
    return Draft(model, local_id, event_class(event_type), json=data)


def _comparable(value: Any, at: str | None) -> Any:
    if isinstance(value, datetime):
        return value
    return to_decimal(value, at)


def _same(values: list[Any]) -> bool:
    return (
        all(v is not MISSING and v is not None for v in values) and len({canonical(v) for v in values}) == 1
    )


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.depth = 1
        self.ns: dict[str, Any] = {
            "MISSING": MISSING,
            "MappingError": MappingError,
            "NotAnArray": NotAnArray,
            "Scope": Scope,
            "canonical": canonical,
            "to_string": to_string,
            "to_int": to_int,
            "to_bool": to_bool,
            "to_decimal": to_decimal,
            "quantize": quantize,
            "per_unit": per_unit,
            "CURRENCY": CURRENCY,
            "EPOCH": EPOCH,
            "timedelta": timedelta,
            "Decimal": __import__("decimal").Decimal,
            "_make_draft": _make_draft,
            "_comparable": _comparable,
            "_same": _same,
        }
        self._counter = itertools.count()
        self._consts: dict[tuple[type, Any], str] = {}

    def line(self, text: str) -> None:
        self.lines.append("    " * self.depth + text)

    @contextmanager
    def block(self, header: str) -> Iterator[None]:
        self.line(header)
        self.depth += 1
        start = len(self.lines)
        yield
        if len(self.lines) == start:
            self.line("pass")
        self.depth -= 1

    def tmp(self, hint: str = "t") -> str:
        return f"{hint}{next(self._counter)}"

    def const(self, value: Any) -> str:
        """A name for a value the generated code needs (tables, paths, converters)."""
        if value is None or isinstance(value, bool):
            return repr(value)
        if isinstance(value, int | str) and type(value) in (int, str):
            key = (type(value), value)
            if key not in self._consts:
                self._consts[key] = self.tmp("_k")
                self.ns[self._consts[key]] = value
            return self._consts[key]
        name = self.tmp("_k")
        self.ns[name] = value
        return name


class Compiler:
    def __init__(self) -> None:
        self.w = _Writer()

    # -- scopes

    def scope_of(self, env: Env) -> str:
        """A Scope for a closure of values.py: root, current item and the names bound here."""
        names = ", ".join(
            f"{self.w.const(k[1:])}: {v}" for k, v in env.items() if k.startswith("@") and k != "@"
        )
        return f"Scope(root, {env['@']}, ctx, {{{names}}})"

    def closure(self, expr: Any, env: Env) -> str:
        fn = self.w.const(compile_expr(expr))
        out = self.w.tmp()
        self.w.line(f"{out} = {fn}({self.scope_of(env)})")
        return out

    def anchor(self, anchor: str, path: str, env: Env) -> str | None:
        if anchor in env:
            return env[anchor]
        known = sorted(k[1:] for k in env if k.startswith("@") and k != "@") or None
        self.w.line(
            f"raise MappingError({self.w.const(f'no enclosing `as:` names an item {anchor}')}, "
            f"at={self.w.const(path)}, known={self.w.const(known)})"
        )
        return None

    def steps(self, start: str, segments: tuple[Any, ...] | list[Any]) -> str:
        """Inline look-ups of plain segments (no [*]) from a variable; the result is a new variable."""
        if not segments:
            return start
        out = self.w.tmp()
        current = start
        for seg in segments:
            if isinstance(seg, int):
                bound = f"len({current}) > {seg}" if seg >= 0 else f"len({current}) >= {-seg}"
                self.w.line(
                    f"{out} = {current}[{seg}] if isinstance({current}, list) and {bound} else MISSING"
                )
            else:
                key = self.w.const(seg)
                self.w.line(
                    f"{out} = {current}.get({key}, MISSING) if isinstance({current}, dict) else MISSING"
                )
            current = out
        return out

    def path(self, path: str, env: Env) -> str:
        anchor, segments = parse(path)
        start = self.anchor(anchor, path, env)
        if start is None:
            return "MISSING"
        if EVERY in segments:
            out = self.w.tmp()
            self.w.line(f"{out} = {self.w.const(walker(segments))}({start})")
            return out
        return self.steps(start, segments)

    def items(
        self, sources: str | list[str], as_: Any, env: Env, singles: bool, body: Callable[[Env], None]
    ) -> None:
        """Loops over every item the `from` paths name, running body with `@` and the `as:` names bound
        (compile_items and paths.levels, unrolled)."""
        names = names_of(as_)
        for path in [sources] if isinstance(sources, str) else sources:
            anchor, segments = parse(path)
            start = self.anchor(anchor, path, env)
            if start is None:
                continue
            segs = list(segments)
            while segs and segs[-1] is EVERY:
                segs.pop()
            parts: list[list[Any]] = [[]]
            for seg in segs:
                if seg is EVERY:
                    parts.append([])
                else:
                    parts[-1].append(seg)
            slots = names[: len(parts)] + [""] * (len(parts) - len(names))
            inner = dict(env)
            opened = 0
            with self.w.block(f"if {start} is not MISSING:"):
                current = start
                for level, part in enumerate(parts):
                    reached = self.steps(current, part)
                    element = self.w.tmp("e")
                    if level < len(parts) - 1:
                        self.w.line(f"if isinstance({reached}, list):")
                        self.w.depth += 1
                        self.w.line(f"for {element} in {reached}:")
                        self.w.depth += 1
                        opened += 2
                    else:
                        self.w.line(f"if {reached} is not MISSING and {reached} is not None:")
                        self.w.depth += 1
                        listed = self.w.tmp("ls")  # never rebinds `reached`: it may be root or an outer item
                        if singles:
                            self.w.line(
                                f"{listed} = {reached} if isinstance({reached}, list) else [{reached}]"
                            )
                        else:
                            with self.w.block(f"if not isinstance({reached}, list):"):
                                self.w.line(
                                    f"raise MappingError(str(NotAnArray({reached})), at={self.w.const(path)})"
                                )
                            self.w.line(f"{listed} = {reached}")
                        self.w.line(f"for {element} in {listed}:")
                        self.w.depth += 1
                        opened += 2
                        inner["@"] = element
                    if slots[level]:
                        inner[f"@{slots[level]}"] = element
                    current = element
                body(inner)
                self.w.depth -= opened

    def kept(self, expr: Any, env: Env, singles: bool, body: Callable[[Env], None]) -> None:
        """items() with the `where` of the expression applied."""

        def filtered(inner: Env) -> None:
            if expr.where is None:
                body(inner)
                return
            holds = self.cond(expr.where, inner)
            with self.w.block(f"if {holds}:"):
                body(inner)

        self.items(expr.from_, expr.as_, env, singles, filtered)

    # -- values

    def value(self, expr: Any, env: Env) -> str:
        """Emit the statements computing an expression; return the name (or literal) holding it."""
        if expr is None or isinstance(expr, bool | int) or (isinstance(expr, str) and expr[:1] not in "$@"):
            return self.w.const(expr)
        if isinstance(expr, str):
            return self.path(expr, env)
        method = getattr(self, f"_{type(expr).__name__}", None)
        if method is None:
            return self.closure(expr, env)
        return str(method(expr, env))

    def _sourced(self, expr: Any, env: Env, source: str, convert: Callable[[str], str]) -> str:
        out = self.w.tmp()
        self.w.line(f"{out} = {source}")
        with self.w.block(f"if {out} is MISSING or {out} is None:"):
            if expr.default is not None:
                self.w.line(f"{out} = {convert(self.w.const(expr.default))}")
            elif expr.required:
                message = self.w.const(f"required {expr.type} value is missing")
                self.w.line(f"raise MappingError({message}, at={self.w.const(where(expr))})")
            else:
                self.w.line(f"{out} = MISSING")
        if expr.default is not None or not expr.required:
            with self.w.block("else:"):
                self.w.line(f"{out} = {convert(out)}")
        else:
            self.w.line(f"{out} = {convert(out)}")
        return out

    def _typed(self, expr: Any, env: Env, convert: Callable[[str], str]) -> str:
        return self._sourced(expr, env, self.value(expr.from_, env), convert)

    def _PathExpr(self, expr: s.PathExpr, env: Env) -> str:
        source = self.path(expr.path, env)
        out = self.w.tmp()
        self.w.line(f"{out} = {source}")
        with self.w.block(f"if {out} is MISSING or {out} is None:"):
            if expr.default is not None:
                self.w.line(f"{out} = {self.w.const(expr.default)}")
            elif expr.required:
                message = self.w.const("required path value is missing")
                self.w.line(f"raise MappingError({message}, at={self.w.const(expr.path)})")
            else:
                self.w.line(f"{out} = MISSING")
        return out

    def _ConstExpr(self, expr: s.ConstExpr, env: Env) -> str:
        return self.w.const(expr.value)

    def _ContextExpr(self, expr: s.ContextExpr, env: Env) -> str:
        out = self.w.tmp()
        self.w.line(f"{out} = ctx.{expr.name}")
        self.w.line(f"if {out} is None: {out} = MISSING")
        return out

    def _StringExpr(self, expr: s.StringExpr, env: Env) -> str:
        at = self.w.const(where(expr))
        return self._typed(expr, env, lambda v: f"{v} if {v}.__class__ is str else to_string({v}, {at})")

    def _IntExpr(self, expr: s.IntExpr, env: Env) -> str:
        at = self.w.const(where(expr))
        return self._typed(expr, env, lambda v: f"{v} if {v}.__class__ is int else to_int({v}, {at})")

    def _BoolExpr(self, expr: s.BoolExpr, env: Env) -> str:
        at = self.w.const(where(expr))
        return self._typed(expr, env, lambda v: f"{v} if {v}.__class__ is bool else to_bool({v}, {at})")

    def _converted(self, expr: Any, env: Env) -> str:
        """A typed primitive whose conversion stays the closure's converter (the part after `from`)."""
        from hub.mapping.convert import enum_converter, timestamp_converter
        from hub.mapping.values import _decimal_converter

        factories: dict[type, Callable[[Any], Any]] = {
            s.DecimalExpr: _decimal_converter,
            s.TimestampExpr: timestamp_converter,
            s.EnumExpr: enum_converter,
        }
        factory = factories[type(expr)]
        fn, at = self.w.const(factory(expr)), self.w.const(where(expr))
        return self._typed(expr, env, lambda v: f"{fn}({v}, {at})")

    def _DecimalExpr(self, expr: s.DecimalExpr, env: Env) -> str:
        return self._converted(expr, env)

    def _TimestampExpr(self, expr: s.TimestampExpr, env: Env) -> str:
        if expr.format == "iso8601":
            return self._converted(expr, env)
        from hub.mapping.convert import timestamp_converter

        fn, at = self.w.const(timestamp_converter(expr)), self.w.const(where(expr))
        scale = 1_000 if expr.format == "epoch_ms" else 1_000_000
        # An integer needs no decimal on the way: the same microseconds, exactly.
        return self._typed(
            expr,
            env,
            lambda v: (
                f"EPOCH + timedelta(microseconds={v} * {scale}) if {v}.__class__ is int else {fn}({v}, {at})"
            ),
        )

    def _EnumExpr(self, expr: s.EnumExpr, env: Env) -> str:
        table = self.w.const(dict(expr.values))
        at, known = self.w.const(where(expr)), self.w.const(list(expr.values))
        source = self.value(expr.from_, env)
        out = self.w.tmp()
        self.w.line(f"{out} = {source}")
        with self.w.block(f"if {out} is MISSING or {out} is None:"):
            if expr.default is not None:
                self.w.line(f"{out} = {self.w.const(expr.default)}")
            elif expr.required:
                message = self.w.const(f"required {expr.type} value is missing")
                self.w.line(f"raise MappingError({message}, at={at})")
            else:
                self.w.line(f"{out} = MISSING")
        with self.w.block(f"if {out} is not MISSING:"):
            key = self.w.tmp("k")
            self.w.line(f"{key} = {out} if {out}.__class__ is str else canonical({out})")
            with self.w.block(f"if {key} not in {table}:"):
                self.w.line(
                    f"raise MappingError(f'unknown value {{{key}!r}}', at={at}, value={out}, known={known})"
                )
            self.w.line(f"{out} = {table}[{key}]")
        return out

    def _MoneyExpr(self, expr: s.MoneyExpr, env: Env) -> str:
        amount_at, currency_at = self.w.const(where(expr.amount)), self.w.const(where(expr.currency))
        per_at = self.w.const(where(expr.per))
        scale, rounding = self.w.const(expr.scale), self.w.const(expr.rounding)
        out = self.w.tmp()
        raw = self.value(expr.amount, env)
        with self.w.block(f"if {raw} is MISSING or {raw} is None:"):
            if expr.required:
                message = self.w.const("required money amount is missing")
                self.w.line(f"raise MappingError({message}, at={amount_at})")
            else:
                self.w.line(f"{out} = MISSING")
        with self.w.block("else:"):
            code = self.value(expr.currency, env)
            with self.w.block(f"if not isinstance({code}, str) or not CURRENCY.match({code}):"):
                message = self.w.const("currency must be an ISO 4217 code")
                self.w.line(f"raise MappingError({message}, at={currency_at}, value={code})")
            amount = self.w.tmp("a")
            self.w.line(f"{amount} = to_decimal({raw}, {amount_at})")
            if expr.per is None:
                self.w.line(
                    f"{out} = {{'amount': quantize({amount}, {scale}, {rounding}), 'currency': {code}}}"
                )
            else:
                units = self.value(expr.per, env)
                with self.w.block(f"if {units} is MISSING or {units} is None:"):
                    message = self.w.const("the quantity to divide the amount by is missing")
                    self.w.line(f"raise MappingError({message}, at={per_at})")
                self.w.line(f"{units} = to_decimal({units}, {per_at})")
                with self.w.block(f"if {units} == 0:"):
                    self.w.line(f"{out} = MISSING")
                with self.w.block("else:"):
                    self.w.line(f"{amount} = per_unit({amount}, {units}, {scale}, {amount_at})")
                    self.w.line(
                        f"{out} = {{'amount': quantize({amount}, {scale}, {rounding}), 'currency': {code}}}"
                    )
        return out

    def _ObjectExpr(self, expr: s.ObjectExpr, env: Env) -> str:
        out = self.w.tmp("d")
        self.w.line(f"{out} = {{}}")
        for name, field in expr.fields.items():
            self.assign(out, name, field, env)
        return out

    def assign(self, target: str, name: str, expr: Any, env: Env) -> None:
        """target[name] = the expression's value, unless it is missing."""
        value = self.value(expr, env)
        key = self.w.const(name)
        if value in ("None", "True", "False") or (value.startswith("_k") and value in self.w.ns):
            self.w.line(f"{target}[{key}] = {value}")  # a constant: never missing
        else:
            self.w.line(f"if {value} is not MISSING: {target}[{key}] = {value}")

    def _CoalesceExpr(self, expr: s.CoalesceExpr, env: Env) -> str:
        out = self.w.tmp()
        self.w.line(f"{out} = MISSING")
        depth = self.w.depth
        for option in expr.of:
            value = self.value(option, env)
            self.w.line(f"if {value} is not MISSING and {value} is not None: {out} = {value}")
            self.w.line("else:")
            self.w.depth += 1
        self.w.line("pass")
        self.w.depth = depth
        return out

    def _FormatExpr(self, expr: s.FormatExpr, env: Env) -> str:
        out = self.w.tmp()
        self.w.line(f"{out} = MISSING")
        depth = self.w.depth
        values = []
        for name, arg in expr.args.items():
            value = self.value(arg, env)
            values.append((name, value))
            self.w.line(f"if {value} is not MISSING and {value} is not None:")
            self.w.depth += 1
        args = ", ".join(f"{self.w.const(n)}: canonical({v})" for n, v in values)
        self.w.line(f"{out} = {self.w.const(expr.template)}.format_map({{{args}}})")
        self.w.depth = depth
        return out

    def _CaseExpr(self, expr: s.CaseExpr, env: Env) -> str:
        out = self.w.tmp()
        depth = self.w.depth
        for branch in expr.cases:
            holds = self.cond(branch.when, env)
            with self.w.block(f"if {holds}:"):
                self.w.line(f"{out} = {self.value(branch.value, env)}")
            self.w.line("else:")
            self.w.depth += 1
        if expr.otherwise is not None:
            self.w.line(f"{out} = {self.value(expr.otherwise, env)}")
        else:
            self.w.line(f"{out} = MISSING")
        self.w.depth = depth
        return out

    def _ListExpr(self, expr: s.ListExpr, env: Env) -> str:
        out = self.w.tmp("l")
        source = self.path(expr.from_, env)
        with self.w.block(f"if {source} is MISSING or {source} is None:"):
            self.w.line(f"{out} = MISSING")
        with self.w.block("else:"):
            self.w.line(f"{out} = []")

            def body(inner: Env) -> None:
                value = self.value(expr.item, inner)
                self.w.line(f"if {value} is not MISSING: {out}.append({value})")

            self.kept(expr, env, False, body)
        return out

    def _SumExpr(self, expr: s.SumExpr, env: Env) -> str:
        total, codes, count, out = self.w.tmp("s"), self.w.tmp("c"), self.w.tmp("n"), self.w.tmp()
        amount_at = self.w.const(where(expr.amount))
        currency_at = self.w.const(where(expr.currency) if expr.currency is not None else None)
        label = self.w.const(", ".join([expr.from_] if isinstance(expr.from_, str) else expr.from_))
        self.w.line(f"{total}, {codes}, {count} = Decimal(0), set(), 0")

        def body(inner: Env) -> None:
            raw = self.value(expr.amount, inner)
            with self.w.block(f"if {raw} is not MISSING and {raw} is not None:"):
                self.w.line(f"{total} += to_decimal({raw}, {amount_at})")
                self.w.line(f"{count} += 1")
                if expr.currency is not None:
                    code = self.value(expr.currency, inner)
                    with self.w.block(f"if not isinstance({code}, str) or not CURRENCY.match({code}):"):
                        message = self.w.const("currency must be an ISO 4217 code")
                        self.w.line(f"raise MappingError({message}, at={currency_at}, value={code})")
                    self.w.line(f"{codes}.add({code})")

        self.kept(expr, env, True, body)
        with self.w.block(f"if not {count}:"):
            if expr.required:
                self.w.line(f"raise MappingError({self.w.const('nothing to sum')}, at={label})")
            else:
                self.w.line(f"{out} = MISSING")
        with self.w.block("else:"):
            with self.w.block(f"if len({codes}) > 1:"):
                several = f"f\"cannot sum amounts in several currencies ({{', '.join(sorted({codes}))}})\""
                self.w.line(f"raise MappingError({several}, at={label})")
            text = f"quantize({total}, {self.w.const(expr.scale)}, {self.w.const(expr.rounding)})"
            if expr.currency is not None:
                self.w.line(f"{out} = {{'amount': {text}, 'currency': {codes}.pop()}}")
            else:
                self.w.line(f"{out} = {text}")
        return out

    def _PickExpr(self, expr: s.PickExpr, env: Env) -> str:
        out = self.w.tmp()
        value_at = self.w.const(where(expr.value))
        label = self.w.const(", ".join([expr.from_] if isinstance(expr.from_, str) else expr.from_))
        if expr.type == "first":
            # The first present value; later items are not evaluated at all: a function returns early.
            fn = self.w.tmp("_first")
            with self.w.block(f"def {fn}():"):

                def first(inner: Env) -> None:
                    value = self.value(expr.value, inner)
                    self.w.line(f"if {value} is not MISSING and {value} is not None: return {value}")

                self.kept(expr, env, True, first)
                self.w.line("return MISSING")
            self.w.line(f"{out} = {fn}()")
        else:
            best, key = self.w.tmp("b"), self.w.tmp("k")
            compare = ">" if expr.type == "max" else "<"
            self.w.line(f"{best} = MISSING")

            def better(inner: Env) -> None:
                value = self.value(expr.value, inner)
                with self.w.block(f"if {value} is not MISSING and {value} is not None:"):
                    self.w.line(f"{key} = _comparable({value}, {value_at})")
                    with self.w.block("try:"):
                        self.w.line(
                            f"if {best} is MISSING or {key} {compare} {best}[0]: {best} = ({key}, {value})"
                        )
                    with self.w.block("except TypeError:"):
                        message = f"f'cannot compare {{{value}!r}} with {{{best}[1]!r}}'"
                        self.w.line(f"raise MappingError({message}, at={value_at}) from None")

            self.kept(expr, env, True, better)
            self.w.line(f"{out} = {best} if {best} is MISSING else {best}[1]")
        with self.w.block(f"if {out} is MISSING:"):
            if expr.default is not None:
                self.w.line(f"{out} = {self.w.const(expr.default)}")
            elif expr.required:
                message = self.w.const(f"no item to take the {expr.type} value from")
                self.w.line(f"raise MappingError({message}, at={label})")
        return out

    def _ArrayExpr(self, expr: s.ArrayExpr, env: Env) -> str:
        out = self.w.tmp("l")
        self.w.line(f"{out} = []")
        for option in expr.of:
            value = self.value(option, env)
            self.w.line(f"if {value} is not MISSING and {value} is not None: {out}.append({value})")
        return out

    def _KeysExpr(self, expr: s.KeysExpr, env: Env) -> str:
        value, out = self.value(expr.from_, env), self.w.tmp()
        self.w.line(f"{out} = list({value}) if isinstance({value}, dict) else MISSING")
        return out

    def _HoldsExpr(self, expr: s.HoldsExpr, env: Env) -> str:
        return self.cond(expr.cond, env)

    # -- conditions

    def cond(self, cond: Any, env: Env) -> str:
        """Emit the statements deciding a condition; return the name of a bool holding it."""
        out = self.w.tmp("c")
        if isinstance(cond, s.EqualsCond | s.InCond):
            value = self.value(cond.from_, env)
            if isinstance(cond, s.EqualsCond):
                test = f"== {self.w.const(canonical(cond.value))}"
            else:
                test = f"in {self.w.const(frozenset(canonical(v) for v in cond.values))}"
            self.w.line(
                f"{out} = {value} is not MISSING and {value} is not None and "
                f"({value} if {value}.__class__ is str else canonical({value})) {test}"
            )
        elif isinstance(cond, s.ContainsCond):
            value, wanted = self.value(cond.from_, env), self.w.const(canonical(cond.value))
            self.w.line(
                f"{out} = isinstance({value}, list) and any(canonical(i) == {wanted} for i in {value})"
            )
        elif isinstance(cond, s.ExistsCond):
            value = self.value(cond.from_, env)
            self.w.line(f"{out} = {value} is not MISSING and {value} is not None")
        elif isinstance(cond, s.NotCond):
            inner = self.cond(cond.cond, env)
            self.w.line(f"{out} = not {inner}")
        elif isinstance(cond, s.AllCond | s.AnyCond):
            # Short-circuit as all()/any() do: a later part is not evaluated once the answer is known.
            self.w.line(f"{out} = {isinstance(cond, s.AllCond)}")
            depth = self.w.depth
            for part in cond.of:
                holds = self.cond(part, env)
                if isinstance(cond, s.AllCond):
                    self.w.line(f"if not {holds}: {out} = False")
                else:
                    self.w.line(f"if {holds}: {out} = True")
                self.w.line("else:")
                self.w.depth += 1
            self.w.line("pass")
            self.w.depth = depth
        elif isinstance(cond, s.SameCond):
            values = [self.value(v, env) for v in cond.of]
            self.w.line(f"{out} = _same([{', '.join(values)}])")
        elif isinstance(cond, s.SomeCond):
            fn = self.w.tmp("_some")
            with self.w.block(f"def {fn}():"):
                self.kept(cond, env, True, lambda inner: self.w.line("return True"))
                self.w.line("return False")
            self.w.line(f"{out} = {fn}()")
        else:
            raise TypeError(f"no compiler for {type(cond).__name__}")
        return out

    # -- emitters

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
        self.w.line(f"{key} = canonical({raw})")
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

        def body(inner: Env) -> None:
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
            self.w.line(f"{text} = canonical({identity})")
            if emitter.distinct:
                self.w.line(f"if {text} in {seen}: continue")
                self.w.line(f"{seen}.add({text})")
            child_prefix = self.w.tmp("p")
            head = f"{prefix} + " if prefix != "''" else ""
            self.w.line(f"{child_prefix} = {head}{self.w.const(label)} + '[' + {text} + ']'")
            self.emitters(emitter.emit, inner, child_prefix, f"{label}.")
            self.w.depth = depth

        self.items(emitter.from_, emitter.as_, env, False, body)

    def function(self, mapping: s.MappingSpec) -> Callable[[Any, Any, Any], None]:
        self.emitters(mapping.emit, {"$": "root", "@": "root"}, "''", "")
        source = "def emit(root, ctx, out):\n" + "\n".join(self.w.lines) + "\n"
        namespace = dict(self.w.ns)
        exec(compile(source, "<mapping>", "exec"), namespace)
        fn: Callable[[Any, Any, Any], None] = namespace["emit"]
        fn.__doc__ = source  # what was generated, for reading
        return fn


def compile_function(mapping: s.MappingSpec) -> Callable[[Any, Any, Any], None]:
    # Built before the first payload: the event types' JSON forms and validators of every type it emits.
    for cls in _event_types(mapping.emit):
        json_form(draft_model(event_class(cls)))
    return Compiler().function(mapping)


def _event_types(emitters: list[s.Emitter]) -> set[str]:
    found: set[str] = set()
    for emitter in emitters:
        if isinstance(emitter, s.ForEach):
            found |= _event_types(emitter.emit)
        else:
            stack: list[Any] = [emitter.event]
            while stack:
                event = stack.pop()
                if isinstance(event, str):
                    found.add(event)
                else:
                    stack.extend(event.cases.values())
    return found


def _standalone(build: Callable[[Compiler, Env], str]) -> Callable[[Scope], Any]:
    compiler = Compiler()
    result = build(compiler, {"$": "root", "@": "item"})
    compiler.w.line(f"return {result}")
    source = "def run(root, item, ctx):\n" + "\n".join(compiler.w.lines) + "\n"
    namespace = dict(compiler.w.ns)
    exec(compile(source, "<expression>", "exec"), namespace)
    fn = namespace["run"]
    return lambda scope: fn(scope.root, scope.item, scope.ctx)


def compile_value(expr: Any) -> Callable[[Scope], Any]:
    """One expression as generated code, called like values.compile_expr's closures (top-level scope)."""
    return _standalone(lambda c, env: c.value(expr, env))


def compile_test(cond: Any) -> Callable[[Scope], bool]:
    """One condition as generated code, called like values.compile_condition's closures."""
    return _standalone(lambda c, env: c.cond(cond, env))
