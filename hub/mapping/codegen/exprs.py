"""Value expressions as generated code: the dispatch on the expression's type, the typed primitives,
money and JSONata."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jsonata

from hub.mapping import spec as s
from hub.mapping.codegen.base import Base, Env
from hub.mapping.convert import epoch_range, timestamp_converter
from hub.mapping.spec import where


class Exprs(Base):
    def value(self, expr: Any, env: Env) -> str:
        """Emit the statements computing an expression; return the name (or literal) holding it."""
        if expr is None or isinstance(expr, bool | int) or (isinstance(expr, str) and expr[:1] not in "$@"):
            return self.w.const(expr)
        if isinstance(expr, str):
            return self.path(expr, env)
        method = getattr(self, f"_{type(expr).__name__}", None)
        if method is None:
            raise TypeError(
                f"no code for {type(expr).__name__}: add a method _{type(expr).__name__} to a part"
            )
        return str(method(expr, env))

    def assign(self, target: str, name: str, expr: Any, env: Env) -> None:
        """target[name] = the expression's value, unless it is missing."""
        value = self.value(expr, env)
        key = self.w.const(name)
        if value in ("None", "True", "False") or (value.startswith("_k") and value in self.w.ns):
            self.w.line(f"{target}[{key}] = {value}")  # a constant: never missing
        else:
            self.w.line(f"if {value} is not MISSING: {target}[{key}] = {value}")

    def _present(
        self, expr: Any, source: str, what: str, at: str, default: Callable[[str], str] = str
    ) -> str:
        """out = source; where that is missing or null: the expression's default, an error if it is
        required, else MISSING."""
        out = self.w.tmp()
        self.w.line(f"{out} = {source}")
        if getattr(expr, "empty", None) == "missing":
            self.w.line(f"if blank({out}): {out} = MISSING")
        with self.w.block(f"if {out} is MISSING or {out} is None:"):
            if expr.default is not None:
                self.w.line(f"{out} = {default(self.w.const(expr.default))}")
            elif expr.required:
                message = self.w.const(f"required {what} value is missing")
                self.w.line(f"raise MappingError({message}, at={at})")
            else:
                self.w.line(f"{out} = MISSING")
        return out

    def _sourced(self, expr: Any, env: Env, source: str, convert: Callable[[str], str]) -> str:
        out = self._present(expr, source, expr.type, self.w.const(where(expr)), convert)
        if expr.default is not None or not expr.required:
            with self.w.block("else:"):
                self.w.line(f"{out} = {convert(out)}")
        else:
            self.w.line(f"{out} = {convert(out)}")
        return out

    def _typed(self, expr: Any, env: Env, convert: Callable[[str], str]) -> str:
        return self._sourced(expr, env, self.value(expr.from_, env), convert)

    def _PathExpr(self, expr: s.PathExpr, env: Env) -> str:
        return self._present(expr, self.path(expr.path, env), "path", self.w.const(expr.path))

    def _ConstExpr(self, expr: s.ConstExpr, env: Env) -> str:
        return self.w.const(expr.value)

    def _StringExpr(self, expr: s.StringExpr, env: Env) -> str:
        at = self.w.const(where(expr))
        return self._typed(expr, env, lambda v: f"{v} if {v}.__class__ is str else to_string({v}, {at})")

    def _IntExpr(self, expr: s.IntExpr, env: Env) -> str:
        at = self.w.const(where(expr))
        return self._typed(expr, env, lambda v: f"{v} if {v}.__class__ is int else to_int({v}, {at})")

    def _BoolExpr(self, expr: s.BoolExpr, env: Env) -> str:
        at = self.w.const(where(expr))
        return self._typed(expr, env, lambda v: f"{v} if {v}.__class__ is bool else to_bool({v}, {at})")

    def _DecimalExpr(self, expr: s.DecimalExpr, env: Env) -> str:
        at, scale, rounding = self.w.const(where(expr)), self.w.const(expr.scale), self.w.const(expr.rounding)
        return self._typed(expr, env, lambda v: f"quantize(to_decimal({v}, {at}), {scale}, {rounding})")

    def _TimestampExpr(self, expr: s.TimestampExpr, env: Env) -> str:
        fn, at = self.w.const(timestamp_converter(expr)), self.w.const(where(expr))
        if expr.format == "iso8601":
            return self._typed(expr, env, lambda v: f"{fn}({v}, {at})")
        scale = 1_000 if expr.format == "epoch_ms" else 1_000_000
        lo, hi = epoch_range(expr.format)
        # An integer in range needs no decimal on the way: the same microseconds, exactly.
        return self._typed(
            expr,
            env,
            lambda v: (
                f"EPOCH + timedelta(microseconds={v} * {scale}) "
                f"if {v}.__class__ is int and {lo} <= {v} <= {hi} else {fn}({v}, {at})"
            ),
        )

    def _EnumExpr(self, expr: s.EnumExpr, env: Env) -> str:
        table = self.w.const(dict(expr.values))
        at, known = self.w.const(where(expr)), self.w.const(list(expr.values))
        out = self._present(expr, self.value(expr.from_, env), expr.type, at)
        with self.w.block(f"if {out} is not MISSING:"):
            key = self.w.tmp("k")
            self.w.line(f"{key} = {out} if {out}.__class__ is str else canonical({out}, {at})")
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
        if expr.empty == "missing":
            kept, raw = raw, self.w.tmp()  # never rebinds the name: it may be an item or a constant
            self.w.line(f"{raw} = MISSING if blank({kept}) else {kept}")
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
            if expr.negate:
                self.w.line(f"{amount} = negate({amount})")
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

    def _JsonataExpr(self, expr: s.JsonataExpr, env: Env) -> str:
        program, text = self.w.const(jsonata.Jsonata(expr.expr)), self.w.const(expr.expr)
        out = self.w.tmp()
        self.w.line(f"{out} = run_jsonata({program}, {text}, root, {env['@']})")
        with self.w.block(f"if {out} is None:"):
            if expr.required:
                message = self.w.const("jsonata expression gave no value")
                self.w.line(f"raise MappingError({message}, at={text})")
            else:
                self.w.line(f"{out} = MISSING")
        return out
