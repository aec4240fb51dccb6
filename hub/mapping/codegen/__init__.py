"""The mapping language's one runtime: a whole mapping compiled into one Python function, through
generated source.

Paths become dictionary look-ups, `from` items become nested loops, names bound by `as:` become local
variables, and each expression is written out as straight-line code when the mapping loads. Conversions
shared with tests/mapping_oracle (a closure interpreter kept as a differential oracle) live in
hub/mapping/convert.py.

The generated function is `emit(root, ctx, out)`: it appends Drafts and ignore reasons to `out` (an
Emission). compile_value and compile_test write one expression or condition as a function of
(payload, context): routing, envelopes and delivery identity use them.

The Compiler is one mixin per kind of node (paths, exprs, facts, combinators, aggregates, conditions,
emitters), so that each kind reads on its own; base.py names what they call on one another. A new
primitive is one method `_<ModelName>` in the mixin of its kind.
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
from hub.mapping.codegen.facts import Facts
from hub.mapping.codegen.paths import Paths
from hub.mapping.codegen.runtime import Emission
from hub.mapping.context import Context
from hub.mapping.drafts import draft_model, json_form
from hub.mapping.parts import NO_PARTS, Parts

__all__ = [
    "Compiler",
    "Emission",
    "Env",
    "MappingFunction",
    "compile_function",
    "compile_test",
    "compile_value",
]

MappingFunction = Callable[[Any, Context, Emission], None]


class Compiler(Paths, Exprs, Facts, Combinators, Aggregates, Conditions, Emitters):
    """Writes a mapping, or one expression or condition, as the source of one Python function."""


def compile_function(mapping: s.MappingSpec, parts: Parts = NO_PARTS) -> MappingFunction:
    # Built before the first payload: the event types' JSON forms and validators of every type it emits.
    for cls in _event_types(mapping.emit, parts):
        json_form(draft_model(event_class(cls)))
    return Compiler(parts).function(mapping)


def _event_types(emitters: list[s.Emitter], parts: Parts) -> set[str]:
    found: set[str] = set()
    for emitter in emitters:
        if isinstance(emitter, s.ForEach):
            found |= _event_types(emitter.emit, parts)
        elif isinstance(emitter, s.Include):
            found |= _event_types(parts.mapping(emitter.mapping).emit, parts)
        else:
            stack: list[Any] = [emitter.event]
            while stack:
                event = stack.pop()
                if isinstance(event, str):
                    found.add(event)
                else:
                    stack.extend(event.cases.values())
    return found


def _standalone(build: Callable[[Compiler, Env], str], name: str) -> Callable[[Any, Context], Any]:
    compiler = Compiler()
    result = build(compiler, {"$": "root", "@": "root"})
    compiler.w.line(f"return {result}")
    source = "def run(root, ctx):\n" + "\n".join(compiler.w.lines) + "\n"
    namespace = dict(compiler.w.ns)
    exec(compile(source, f"<{name}>", "exec"), namespace)
    fn: Callable[[Any, Context], Any] = namespace["run"]
    fn.__doc__ = source
    return fn


def compile_value(expr: s.Expr) -> Callable[[Any, Context], Any]:
    """One expression as a function of (payload, context): its value, or MISSING."""
    return _standalone(lambda c, env: c.value(expr, env), "expression")


def compile_test(cond: s.Condition) -> Callable[[Any, Context], bool]:
    """One condition as a function of (payload, context)."""
    return _standalone(lambda c, env: c.cond(cond, env), "condition")
