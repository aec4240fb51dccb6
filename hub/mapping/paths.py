"""Paths compiled once at load time into plain getters."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Final = _Missing()

_SEGMENT = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(-?[0-9]+)\]|\['([^']*)'\]")

Getter = Callable[[Any, Any], Any]


def parse(path: str) -> tuple[str, tuple[str | int, ...]]:
    """Split `$.a['b.c'][0]` into its anchor and segments; reject anything else."""
    if not path or path[0] not in "$@":
        raise ValueError(f"path must start with $ or @: {path!r}")
    segments: list[str | int] = []
    pos = 1
    while pos < len(path):
        match = _SEGMENT.match(path, pos)
        if not match:
            raise ValueError(f"bad path {path!r} at character {pos + 1}")
        name, index, quoted = match.groups()
        segments.append(int(index) if index is not None else (name if name is not None else quoted))
        pos = match.end()
    return path[0], tuple(segments)


def compile_path(path: str) -> Getter:
    anchor, segments = parse(path)
    from_item = anchor == "@"

    def get(root: Any, item: Any) -> Any:
        value = item if from_item else root
        for seg in segments:
            if isinstance(seg, int):
                if not isinstance(value, list) or not -len(value) <= seg < len(value):
                    return MISSING
                value = value[seg]
            else:
                if not isinstance(value, dict):
                    return MISSING
                value = value.get(seg, MISSING)
                if value is MISSING:
                    return MISSING
        return value

    return get
