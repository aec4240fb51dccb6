"""Paths and the items a `from` names, as generated code: dictionary look-ups and nested loops."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hub.mapping.codegen.base import Base, Env
from hub.mapping.paths import EVERY, parse, walker
from hub.mapping.spec import names_of


class Paths(Base):
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
            if self.blank:  # empty strings are missing: a path through [*] leaves them out
                self.w.line(f"if {out} is not MISSING: {out} = [v for v in {out} if not blank(v)]")
            return out
        reached = self.steps(start, segments)
        if not self.blank:
            return reached
        out = self.w.tmp()  # never rebinds `reached`: it may be root or an item
        self.w.line(f"{out} = MISSING if blank({reached}) else {reached}")
        return out

    def items(
        self,
        sources: str | list[str],
        as_: Any,
        env: Env,
        singles: bool,
        body: Callable[[Env], None],
        entries: bool = False,
    ) -> None:
        """Loops over every item the `from` paths name, running body with `@` and the `as:` names bound
        (compile_items and paths.levels, unrolled). With `entries` the last level is an object and its
        items are its entries, {key, value}."""
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
                        present = f"{reached} is not MISSING and {reached} is not None"
                        self.w.line(f"if {present}{f' and not blank({reached})' if self.blank else ''}:")
                        self.w.depth += 1
                        listed = self.w.tmp("ls")  # never rebinds `reached`: it may be root or an outer item
                        if entries:
                            self.w.line(f"{listed} = entries_of({reached}, {self.w.const(path)})")
                        elif singles:
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

    def within(self, sources: str | list[str], count: str, body: Callable[[], None]) -> None:
        """Emit `body` for one item of a foreach or list, counting the items in `count` (set to -1 before
        the loop): an error raised in it names the item (MappingError.within), as the closures of
        compiler.py and items.py do."""
        label = self.w.const(sources if isinstance(sources, str) else " + ".join(sources))
        self.w.line(f"{count} += 1")
        with self.w.block("try:"):
            body()
        with self.w.block("except MappingError as _x:"):
            self.w.line(f"raise _x.within({label}, {count}) from None")

    def kept(self, expr: Any, env: Env, singles: bool, body: Callable[[Env], None]) -> None:
        """items() with the `where` of the expression applied."""

        def filtered(inner: Env) -> None:
            if expr.where is None:
                body(inner)
                return
            holds = self.cond(expr.where, inner)
            with self.w.block(f"if {holds}:"):
                body(inner)

        self.items(expr.from_, expr.as_, env, singles, filtered, getattr(expr, "entries", False))
