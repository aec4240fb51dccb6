"""What the Compiler's parts share: the writer, and the methods they call on one another."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from hub.mapping.codegen.writer import Writer
from hub.mapping.parts import NO_PARTS, Parts

Env = dict[str, str]  # "$", "@", "@name" -> the local variable holding it


class Base:
    def __init__(self, parts: Parts = NO_PARTS) -> None:
        self.w = Writer()
        self.parts = parts  # the connector's other mappings and lookup tables
        # `input.empty_strings: missing` of the mapping being written (an included one has its own).
        self.blank = False

    if TYPE_CHECKING:
        # Each part of the Compiler is a mixin; these are the methods one part calls and another defines.

        def value(self, expr: Any, env: Env) -> str: ...

        def assign(self, target: str, name: str, expr: Any, env: Env) -> None: ...

        def _present(
            self, expr: Any, source: str, what: str, at: str, default: Callable[[str], str] = str
        ) -> str: ...

        def cond(self, cond: Any, env: Env) -> str: ...

        def path(self, path: str, env: Env) -> str: ...

        def items(
            self,
            sources: str | list[str],
            as_: Any,
            env: Env,
            singles: bool,
            body: Callable[[Env], None],
            entries: bool = False,
        ) -> None: ...

        def kept(self, expr: Any, env: Env, singles: bool, body: Callable[[Env], None]) -> None: ...

        def within(self, sources: str | list[str], count: str, body: Callable[[], None]) -> None: ...
