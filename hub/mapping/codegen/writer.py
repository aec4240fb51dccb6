"""Writes the source of one generated function: indented lines, fresh names, and constants by name."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from hub.mapping.codegen.runtime import NAMES


class Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.depth = 1
        self.ns: dict[str, Any] = dict(NAMES)
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
