"""What every part of the mapping format shares: the model base, paths, item names, and the bases of the
typed primitives and of the primitives that read the items of arrays (or the entries of objects)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hub.events.catalog import EVENT_TYPES
from hub.mapping.paths import EVERY, parse

PATH_PATTERN = r"^([$]|@[A-Za-z_][A-Za-z0-9_]*|@)([.][A-Za-z_][A-Za-z0-9_]*|\[(-?[0-9]+|'[^']*'|[*])\])*$"
ITEM_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
# A mapping's name: its file name under mappings/<connector>/ without .yaml; also a lookup table's name.
PART_NAME_PATTERN = r"^[a-z][a-z0-9_]{0,62}$"

if TYPE_CHECKING:
    EventName = str
else:
    EventName = Literal[tuple(EVENT_TYPES)]
Rounding = Literal["half_even", "half_up", "half_down", "down", "up", "floor", "ceiling"]


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


PathString = Annotated[
    str, Field(pattern=PATH_PATTERN, description="$ = payload root, @ = current item, @name = a named item")
]
ItemName = Annotated[str, Field(pattern=ITEM_NAME_PATTERN)]
PartName = Annotated[str, Field(pattern=PART_NAME_PATTERN)]
ItemNames = Annotated[
    ItemName | list[ItemName],
    Field(
        description="Names for the items, read as @name inside: one name per level, outermost first "
        "(the element taken at each [*] of `from` that more path follows, then the item itself)."
    ),
]
Sources = Annotated[
    PathString | list[PathString], Field(description="Arrays whose elements are the items; [*] flattens.")
]
Entries = Annotated[
    bool,
    Field(
        description="The items are the entries of an object (`from` reaches an object), each as "
        "{key, value}, in the payload's order: @.key is the key, @.value its value."
    ),
]
Empty = Annotated[
    Literal["missing"] | None,
    Field(
        description='"missing": an empty string (or only spaces) counts as missing, so `required` and '
        '`default` apply (WooCommerce sends "" for an unset field).'
    ),
]


def levels_of(path: str) -> int:
    """How many elements a `from` path binds per item: one per inner [*], plus the item itself."""
    _, segments = parse(path)
    while segments and segments[-1] is EVERY:
        segments = segments[:-1]
    return sum(seg is EVERY for seg in segments) + 1


def sources_of(spec: Any) -> list[str]:
    """The `from` paths of a primitive over items (none for a min/max over `of`)."""
    sources = getattr(spec, "from_", None)
    if sources is None:
        return []
    return [sources] if isinstance(sources, str) else list(sources)


class _Over(Spec):
    """Shared by the primitives that read the items of arrays: `as` may not name more levels than exist."""

    @model_validator(mode="after")
    def _names_fit(self) -> _Over:
        names = getattr(self, "as_", None)
        count = 0 if names is None else (1 if isinstance(names, str) else len(names))
        for path in sources_of(self):
            if count > levels_of(path):
                raise ValueError(f"`as` names {count} levels but {path} has {levels_of(path)}")
        return self


class _Typed(Spec):
    required: bool = Field(default=False, description="Quarantine the payload when the value is missing.")
    default: Any = Field(default=None, description="Used when the value is missing (null counts as missing).")


class _Sourced(_Typed):
    """A typed primitive that converts one value read from `from` (or a path)."""

    empty: Empty = None
