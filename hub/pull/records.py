"""Where a page keeps its records. Small on purpose: the catalog's response shapes (one records path
declared per shape) will answer this for every stream once they land."""

from __future__ import annotations

from functools import cache
from typing import Any

from hub.mapping.paths import MISSING, compile_path


@cache
def _getter(path: str) -> Any:
    return compile_path(path)


def records_of(page: Any, path: str) -> list[dict[str, Any]]:
    found = _getter(path)(page, page)
    if found is MISSING or found is None:
        return []
    if not isinstance(found, list):
        raise ValueError(f"{path} is not a list in the answer")
    return [r for r in found if isinstance(r, dict)]


def field_of(record: Any, path: str) -> Any:
    value = _getter(path)(record, record)
    return None if value is MISSING else value
