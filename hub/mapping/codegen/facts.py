"""Values from outside the payload as generated code: the delivery's context, its headers, and lookup
tables (a constant dict per table field, built when the mapping loads)."""

from __future__ import annotations

from hub.mapping import spec as s
from hub.mapping.codegen.base import Base, Env
from hub.mapping.spec import where


class Facts(Base):
    def _ContextExpr(self, expr: s.ContextExpr, env: Env) -> str:
        out = self.w.tmp()
        self.w.line(f"{out} = ctx.{expr.name}")
        self.w.line(f"if {out} is None: {out} = MISSING")
        return out

    def _HeaderExpr(self, expr: s.HeaderExpr, env: Env) -> str:
        source = f"header(ctx.headers, {self.w.const(expr.name)})"
        return self._present(expr, source, "header", self.w.const(where(expr)))

    def _LookupExpr(self, expr: s.LookupExpr, env: Env) -> str:
        table = self.parts.table(expr.table)
        column = {key: row.get(expr.field) for key, row in table.rows.items()}
        values, known = self.w.const(column), self.w.const(list(table.rows))
        at = self.w.const(where(expr))
        key, out = self.value(expr.from_, env), self.w.tmp()
        present = f"{key} is not MISSING and {key} is not None"
        if expr.empty == "missing":
            present += f" and not blank({key})"
        self.w.line(f"{out} = {values}.get(canonical({key}, {at}), MISSING) if {present} else MISSING")
        with self.w.block(f"if {out} is MISSING or {out} is None:"):
            if expr.default is not None:
                self.w.line(f"{out} = {self.w.const(expr.default)}")
            elif expr.required:
                with self.w.block(f"if {present}:"):
                    k = self.w.tmp("k")
                    self.w.line(f"{k} = canonical({key}, {at})")
                    unknown = f"f'lookup table {expr.table} has no row {{{k}!r}}'"
                    empty = f"f'row {{{k}!r}} of lookup table {expr.table} has no {expr.field}'"
                    self.w.line(f"message = {unknown} if {k} not in {values} else {empty}")
                    self.w.line(f"raise MappingError(message, at={at}, value={key}, known={known})")
                missing = self.w.const(f"required {expr.type} value is missing")
                self.w.line(f"raise MappingError({missing}, at={at})")
            else:
                self.w.line(f"{out} = MISSING")
        return out
