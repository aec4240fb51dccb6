"""The two implementations of the mapping language, behind one face for the unit tests of the primitives:
the hub's runtime (generated code, hub/mapping/codegen) and the differential oracle (tests/mapping_oracle).
A test module that uses `pytestmark = pytest.mark.usefixtures("runtime")` runs every test on both."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from hub.mapping import spec as s
from hub.mapping.codegen import compile_test, compile_value
from hub.mapping.compiler import compile_mapping
from hub.mapping.context import Context
from hub.mapping.parts import Parts
from hub.mapping.result import Outcome
from tests import mapping_oracle


class Applies(Protocol):
    def apply(self, payload: Any, ctx: Context) -> Outcome: ...


@dataclass(frozen=True)
class Runtime:
    name: str

    def value(self, expr: s.Expr, root: Any, ctx: Context) -> Any:
        if self.name == "hub":
            return compile_value(expr)(root, ctx)
        return mapping_oracle.compile_expr(expr)(mapping_oracle.Scope(root, root, ctx))

    def holds(self, cond: s.Condition, root: Any, ctx: Context) -> bool:
        if self.name == "hub":
            return compile_test(cond)(root, ctx)
        return mapping_oracle.compile_condition(cond)(mapping_oracle.Scope(root, root, ctx))

    def mapping(self, spec: s.MappingSpec, folder: Path = Path("."), parts: Parts | None = None) -> Applies:
        compile = compile_mapping if self.name == "hub" else mapping_oracle.compile_mapping
        return compile("m", Path("m.yaml"), spec, folder, parts)


HUB, ORACLE = Runtime("hub"), Runtime("oracle")
CURRENT = HUB


def value(expr: s.Expr, root: Any, ctx: Context) -> Any:
    return CURRENT.value(expr, root, ctx)


def holds(cond: s.Condition, root: Any, ctx: Context) -> bool:
    return CURRENT.holds(cond, root, ctx)


def mapping(spec: s.MappingSpec, folder: Path = Path("."), parts: Parts | None = None) -> Applies:
    return CURRENT.mapping(spec, folder, parts)
