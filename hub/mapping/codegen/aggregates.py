"""Expressions over the items a `from` names (list, sum, pick), as generated loops."""

from __future__ import annotations

from hub.mapping import spec as s
from hub.mapping.codegen.base import Base, Env
from hub.mapping.spec import where


class Aggregates(Base):
    def _ListExpr(self, expr: s.ListExpr, env: Env) -> str:
        out = self.w.tmp("l")
        source = self.path(expr.from_, env)
        with self.w.block(f"if {source} is MISSING or {source} is None:"):
            self.w.line(f"{out} = MISSING")
        with self.w.block("else:"):
            self.w.line(f"{out} = []")

            def each(inner: Env) -> None:
                if expr.where is None:
                    value = self.value(expr.item, inner)
                    self.w.line(f"if {value} is not MISSING: {out}.append({value})")
                    return
                with self.w.block(f"if {self.cond(expr.where, inner)}:"):
                    value = self.value(expr.item, inner)
                    self.w.line(f"if {value} is not MISSING: {out}.append({value})")

            # Counted before `where`, so the error names the item's place in the payload.
            count = self.w.tmp("i")
            self.w.line(f"{count} = -1")
            self.items(
                expr.from_,
                expr.as_,
                env,
                False,
                lambda inner: self.within(expr.from_, count, lambda: each(inner)),
                expr.entries,
            )
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
                self.w.line(f"{total} = add({total}, to_decimal({raw}, {amount_at}))")
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
        if expr.of is not None:
            label = self.w.const(", ".join(w for w in map(where, expr.of) if w) or None)
        else:
            label = self.w.const(", ".join([expr.from_] if isinstance(expr.from_, str) else expr.from_ or []))
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
            best = self.w.tmp("b")
            self.w.line(f"{best} = MISSING")
            if expr.of is not None:
                for option in expr.of:
                    self._better(best, self.value(option, env), where(option), expr.type)
            else:
                value_at = where(expr.value)
                self.kept(
                    expr,
                    env,
                    True,
                    lambda inner: self._better(best, self.value(expr.value, inner), value_at, expr.type),
                )
            self.w.line(f"{out} = {best} if {best} is MISSING else {best}[1]")
        with self.w.block(f"if {out} is MISSING:"):
            if expr.default is not None:
                self.w.line(f"{out} = {self.w.const(expr.default)}")
            elif expr.required:
                what = "value" if expr.of is not None else "item"
                message = self.w.const(f"no {what} to take the {expr.type} value from")
                self.w.line(f"raise MappingError({message}, at={label})")
        return out

    def _better(self, best: str, value: str, at: str | None, kind: str) -> None:
        """best = (key, value) when this value is present and beyond best (numbers or timestamps)."""
        key, value_at, compare = self.w.tmp("k"), self.w.const(at), ">" if kind == "max" else "<"
        with self.w.block(f"if {value} is not MISSING and {value} is not None:"):
            self.w.line(f"{key} = _comparable({value}, {value_at})")
            with self.w.block("try:"):
                self.w.line(f"if {best} is MISSING or {key} {compare} {best}[0]: {best} = ({key}, {value})")
            with self.w.block("except TypeError:"):
                message = f"f'cannot compare {{{value}!r}} with {{{best}[1]!r}}'"
                self.w.line(f"raise MappingError({message}, at={value_at}) from None")
