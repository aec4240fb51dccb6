"""The mapping format. These models are the single source of mapping.schema.json (see `hub schemas export`).

A value expression is either a shorthand (a string starting with `$` is a path from the payload root,
`@` from the current `foreach` item, `@name` from the item an enclosing `as: name` bound; any other
scalar is a constant) or an object with a `type:`. `[*]` in a path takes every element of an array.

Expressions and conditions refer to each other, so their models are completed here, once all exist.
"""

from hub.mapping.spec import base, conditions, document, exprs, facts, items
from hub.mapping.spec.base import *  # noqa: F403
from hub.mapping.spec.base import _Over, _Sourced, _Typed  # noqa: F401
from hub.mapping.spec.conditions import *  # noqa: F403
from hub.mapping.spec.document import *  # noqa: F403
from hub.mapping.spec.exprs import *  # noqa: F403
from hub.mapping.spec.facts import *  # noqa: F403
from hub.mapping.spec.items import *  # noqa: F403
from hub.mapping.spec.sources import names_of as names_of
from hub.mapping.spec.sources import where as where

_MODULES = (base, items, facts, exprs, conditions, document)
_NAMESPACE = {name: value for module in _MODULES for name, value in vars(module).items()}
_OWN_MODELS = [
    value
    for module in _MODULES
    for value in vars(module).values()
    if isinstance(value, type) and issubclass(value, base.Spec) and value.__module__ == module.__name__
]
for _model in _OWN_MODELS:
    _model.model_rebuild(_types_namespace=_NAMESPACE)
