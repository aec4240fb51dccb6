"""Load YAML while remembering the line of every value, so errors can point at it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class YamlProblem:
    line: int
    message: str


@dataclass(frozen=True)
class Located:
    data: Any
    lines: dict[Path, int]
    problems: list[YamlProblem]

    def line_of(self, path: Path) -> int:
        """The line of `path`, or of its nearest ancestor that has one."""
        for cut in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:cut]))
            if line is not None:
                return line
        return 1


def load(text: str) -> Located:
    """Parse one YAML document. Mapping keys are kept as written ("1" stays "1", "on" stays "on"),
    because they are names in our formats, never YAML 1.1 booleans or numbers."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        lines: dict[Path, int] = {}
        problems: list[YamlProblem] = []
        data = _build(loader, node, (), lines, problems) if node is not None else None
    finally:
        loader.dispose()
    return Located(data, lines, problems)


def _build(
    loader: yaml.SafeLoader,
    node: yaml.Node,
    path: Path,
    lines: dict[Path, int],
    problems: list[YamlProblem],
    line: int | None = None,
) -> Any:
    lines[path] = line or node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = (
                str(key_node.value)
                if isinstance(key_node, yaml.ScalarNode)
                else str(loader.construct_object(key_node))
            )
            if key in out:
                problems.append(YamlProblem(key_node.start_mark.line + 1, f"duplicate key {key!r}"))
            # A value's line is its key's: where a block value starts is the line after.
            out[key] = _build(loader, value_node, (*path, key), lines, problems, key_node.start_mark.line + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, item, (*path, i), lines, problems) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)
