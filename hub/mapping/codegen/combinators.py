"""Value expressions built from other expressions and conditions, as generated code."""

from __future__ import annotations

from string import Formatter

from hub.mapping import spec as s
from hub.mapping.codegen.base import Base, Env
from hub.mapping.spec import where


class Combinators(Base):
    def _ObjectExpr(self, expr: s.ObjectExpr, env: Env) -> str:
        out = self.w.tmp("d")
        self.w.line(f"{out} = {{}}")
        for name, field in expr.fields.items():
            self.assign(out, name, field, env)
        return out

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
        """The template as a concatenation, written out when the mapping loads: nothing is looked up by
        name while mapping, so no payload can make it fail (the format checks each placeholder)."""
        out = self.w.tmp()
        self.w.line(f"{out} = MISSING")
        depth = self.w.depth
        texts = {}
        for name, arg in expr.args.items():
            value = self.value(arg, env)
            self.w.line(f"if {value} is not MISSING and {value} is not None:")
            self.w.depth += 1
            texts[name] = self.w.tmp("x")
            self.w.line(f"{texts[name]} = canonical({value}, {self.w.const(where(arg))})")
        parts = []
        for literal, field, _spec, _conversion in Formatter().parse(expr.template):
            if literal:
                parts.append(self.w.const(literal))
            if field is not None:
                parts.append(texts[field])
        self.w.line(f"{out} = {' + '.join(parts) or repr('')}")
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

    def _JoinExpr(self, expr: s.JoinExpr, env: Env) -> str:
        value, out = self.value(expr.from_, env), self.w.tmp()
        at, separator = self.w.const(where(expr.from_)), self.w.const(expr.separator)
        self.w.line(f"{out} = join_items({value}, {at}, {separator}, {expr.distinct})")
        return out
