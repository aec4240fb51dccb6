"""What an expression reads: the payload path an error message names, and the item names an `as:` binds."""

from __future__ import annotations

from typing import Any

from hub.mapping.spec.exprs import CoalesceExpr, PathExpr
from hub.mapping.spec.facts import ContextExpr, HeaderExpr


def where(expr: Any) -> str | None:
    """The payload path an expression reads, for error messages."""
    if isinstance(expr, str) and expr[:1] in "$@":
        return expr
    if isinstance(expr, PathExpr):
        return expr.path
    if isinstance(expr, ContextExpr):
        return f"context {expr.name}"
    if isinstance(expr, HeaderExpr):
        return f"header {expr.name}"
    if isinstance(expr, CoalesceExpr):
        paths = [p for p in map(where, expr.of) if p]
        return " or ".join(paths) or None
    from_ = getattr(expr, "from_", None)
    return where(from_) if from_ is not None else None


def names_of(as_: str | list[str] | None) -> list[str]:
    """The names an `as:` gives, outermost level first."""
    if as_ is None:
        return []
    return [as_] if isinstance(as_, str) else list(as_)
