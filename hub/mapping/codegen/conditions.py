"""Conditions (`when:`, `where:`, `case` branches) as generated code deciding a bool."""

from __future__ import annotations

from typing import Any

from hub.mapping import spec as s
from hub.mapping.codegen.base import Base, Env
from hub.mapping.convert import canonical
from hub.mapping.spec import where


class Conditions(Base):
    def cond(self, cond: Any, env: Env) -> str:
        """Emit the statements deciding a condition; return the name of a bool holding it."""
        out = self.w.tmp("c")
        if isinstance(cond, s.EqualsCond | s.InCond):
            value, at = self.value(cond.from_, env), self.w.const(where(cond.from_))
            if isinstance(cond, s.EqualsCond):
                test = f"== {self.w.const(canonical(cond.value))}"
            else:
                test = f"in {self.w.const(frozenset(canonical(v) for v in cond.values))}"
            self.w.line(
                f"{out} = {value} is not MISSING and {value} is not None and "
                f"({value} if {value}.__class__ is str else canonical({value}, {at})) {test}"
            )
        elif isinstance(cond, s.ContainsCond):
            value, wanted = self.value(cond.from_, env), self.w.const(canonical(cond.value))
            at = self.w.const(where(cond.from_))
            self.w.line(
                f"{out} = isinstance({value}, list) and any(canonical(i, {at}) == {wanted} for i in {value})"
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
                count = self.w.tmp("i")
                self.w.line(f"{count} = -1")

                def each(inner: Env) -> None:
                    if cond.where is None:
                        self.w.line("return True")
                        return
                    with self.w.block(f"if {self.cond(cond.where, inner)}:"):
                        self.w.line("return True")

                # Counted before `where`: an error in it names the item (an order line) it is about.
                self.items(
                    cond.from_,
                    cond.as_,
                    env,
                    True,
                    lambda inner: self.within(cond.from_, count, lambda: each(inner)),
                    cond.entries,
                )
                self.w.line("return False")
            self.w.line(f"{out} = {fn}()")
        else:
            raise TypeError(f"no compiler for {type(cond).__name__}")
        return out
