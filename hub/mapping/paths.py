"""Paths compiled once at load time into plain getters.

A path starts at the payload root (`$`), the current item (`@`) or a named item (`@line`, bound by the
`as:` of an enclosing foreach or list). `[*]` takes every element of an array: a path through it yields
the list of everything it reaches, flattened.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, Final


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


class _Every:
    """The `[*]` segment."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "[*]"


MISSING: Final = _Missing()
EVERY: Final = _Every()

Segment = str | int | _Every

_ANCHOR = re.compile(r"^(\$|@[A-Za-z_][A-Za-z0-9_]*|@)")
_SEGMENT = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(-?[0-9]+)\]|\['([^']*)'\]|\[(\*)\]")

Getter = Callable[[Any, Any], Any]


def parse(path: str) -> tuple[str, tuple[Segment, ...]]:
    """Split `$.a['b.c'][0]` or `@line.item[*].sku` into its anchor and segments; reject anything else."""
    anchor = _ANCHOR.match(path) if path else None
    if anchor is None:
        raise ValueError(f"path must start with $ or @: {path!r}")
    segments: list[Segment] = []
    pos = anchor.end()
    while pos < len(path):
        match = _SEGMENT.match(path, pos)
        if not match:
            raise ValueError(f"bad path {path!r} at character {pos + 1}")
        name, index, quoted, every = match.groups()
        if every is not None:
            segments.append(EVERY)
        elif index is not None:
            segments.append(int(index))
        else:
            segments.append(name if name is not None else quoted)
        pos = match.end()
    return anchor.group(1), tuple(segments)


def _step(value: Any, seg: str | int) -> Any:
    if isinstance(seg, int):
        if not isinstance(value, list) or not -len(value) <= seg < len(value):
            return MISSING
        return value[seg]
    if not isinstance(value, dict):
        return MISSING
    return value.get(seg, MISSING)


def walker(segments: tuple[Segment, ...]) -> Callable[[Any], Any]:
    """Follow segments from a value. Through `[*]` the result is the list of what was reached."""
    if EVERY not in segments:

        def plain(value: Any) -> Any:
            for seg in segments:
                value = _step(value, seg)  # type: ignore[arg-type]
                if value is MISSING:
                    return MISSING
            return value

        return plain
    cut = segments.index(EVERY)
    head, rest = walker(segments[:cut]), walker(segments[cut + 1 :])
    flattens = EVERY in segments[cut + 1 :]

    def every(value: Any) -> Any:
        array = head(value)
        if not isinstance(array, list):
            return MISSING
        out: list[Any] = []
        for element in array:
            reached = rest(element)
            if reached is MISSING or reached is None:
                continue
            if flattens:
                out.extend(reached)
            else:
                out.append(reached)
        return out

    return every


class NotAnArray(ValueError):
    def __init__(self, reached: Any):
        super().__init__(f"expected an array, found {type(reached).__name__}")


def levels(
    value: Any,
    segments: tuple[Segment, ...],
    *,
    singles: bool = False,
    entries: Callable[[Any], list[Any]] | None = None,
    blank: Callable[[Any], bool] | None = None,
) -> Iterator[tuple[Any, ...]]:
    """The items a `from` path names, each with the elements taken at every inner `[*]` on the way.

    Yields (element at the first [*], ..., item). A path that ends on an array names its elements, so a
    trailing `[*]` changes nothing; one that ends elsewhere is an item itself with `singles`, an error
    (NotAnArray) without. `entries` turns the object a path ends on into its items; what `blank` says
    is blank counts as missing.
    """
    while segments and segments[-1] is EVERY:
        segments = segments[:-1]
    if EVERY in segments:
        cut = segments.index(EVERY)
        array = walker(segments[:cut])(value)
        if isinstance(array, list):
            for element in array:
                for inner in levels(
                    element, segments[cut + 1 :], singles=singles, entries=entries, blank=blank
                ):
                    yield (element, *inner)
        return
    reached = walker(segments)(value)
    if reached is MISSING or reached is None or (blank is not None and blank(reached)):
        return
    if entries is not None:
        reached = entries(reached)
    elif not isinstance(reached, list):
        if not singles:
            raise NotAnArray(reached)
        reached = [reached]
    for element in reached:
        yield (element,)


def compile_path(path: str) -> Getter:
    """A getter of (root, current item) for `$` and `@` paths (named items need a mapping scope)."""
    anchor, segments = parse(path)
    if anchor not in ("$", "@"):
        raise ValueError(f"{path!r}: a named item is only known inside a mapping")
    walk = walker(segments)
    from_item = anchor == "@"
    return lambda root, item: walk(item if from_item else root)
