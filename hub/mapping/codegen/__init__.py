"""Compile a whole mapping into one Python function, through generated source.

The closures of values.py (one Python call per node of the expression tree, a Scope object per item) are
the reference semantics; this package writes the same evaluation out as straight-line code: paths become
dictionary look-ups, `from` items become nested loops, names bound by `as:` become local variables, and
every node is evaluated in the same order and raises the same MappingError as its closure would. What is
rare or has no gain from being inlined (JSONata, ISO timestamps, decimals, joins) calls the closure of
values.py with a Scope built on the spot.

The generated function is `emit(root, ctx, out)`: it appends Drafts and ignore reasons to `out`.

The Compiler is one mixin per kind of node (paths, exprs, combinators, aggregates, conditions, emitters),
so that each kind reads on its own; base.py names what they call on one another.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hub.events.catalog import event_class
from hub.mapping import spec as s
from hub.mapping.codegen.aggregates import Aggregates
from hub.mapping.codegen.base import Env
from hub.mapping.codegen.combinators import Combinators
from hub.mapping.codegen.conditions import Conditions
from hub.mapping.codegen.emitters import Emitters
from hub.mapping.codegen.exprs import Exprs
from hub.mapping.codegen.paths import Paths
from hub.mapping.drafts import draft_model, json_form
from hub.mapping.values import Scope

__all__ = ["Compiler", "Env", "compile_function", "compile_test", "compile_value"]


class Compiler(Paths, Exprs, Combinators, Aggregates, Conditions, Emitters):
    """Writes a mapping, or one expression or condition, as the source of one Python function."""


def compile_function(mapping: s.MappingSpec) -> Callable[[Any, Any, Any], None]:
    # Built before the first payload: the event types' JSON forms and validators of every type it emits.
    for cls in _event_types(mapping.emit):
        json_form(draft_model(event_class(cls)))
    return Compiler().function(mapping)


def _event_types(emitters: list[s.Emitter]) -> set[str]:
    found: set[str] = set()
    for emitter in emitters:
        if isinstance(emitter, s.ForEach):
            found |= _event_types(emitter.emit)
        else:
            stack: list[Any] = [emitter.event]
            while stack:
                event = stack.pop()
                if isinstance(event, str):
                    found.add(event)
                else:
                    stack.extend(event.cases.values())
    return found


def _standalone(build: Callable[[Compiler, Env], str]) -> Callable[[Scope], Any]:
    compiler = Compiler()
    result = build(compiler, {"$": "root", "@": "item"})
    compiler.w.line(f"return {result}")
    source = "def run(root, item, ctx):\n" + "\n".join(compiler.w.lines) + "\n"
    namespace = dict(compiler.w.ns)
    exec(compile(source, "<expression>", "exec"), namespace)
    fn = namespace["run"]
    return lambda scope: fn(scope.root, scope.item, scope.ctx)


def compile_value(expr: Any) -> Callable[[Scope], Any]:
    """One expression as generated code, called like values.compile_expr's closures (top-level scope)."""
    return _standalone(lambda c, env: c.value(expr, env))


def compile_test(cond: Any) -> Callable[[Scope], bool]:
    """One condition as generated code, called like values.compile_condition's closures."""
    return _standalone(lambda c, env: c.cond(cond, env))
