"""Consumer groups by name. Groups register with @consumer_group; packages add theirs through the
`hub.consumers` entry point group or the HUB_CONSUMER_MODULES variable."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points

from hub.events import Event
from hub.store import UnitOfWork

# A group's effect of one event, written through the unit of work it is given (its repositories, or a
# plug-in's own through uow.get(...)): the same transaction records the event as applied, and the caller
# commits it, so effects are exactly-once. A handler never commits.
Handler = Callable[[Event, UnitOfWork], None]


@dataclass(frozen=True)
class GroupSpec:
    name: str
    topics: tuple[str, ...]
    handler: Handler
    description: str
    # The handler gives the same state when an event comes again (an upsert keyed by the event's
    # subject, say), so `hub consume GROUP --rewind ... --reapply` may apply events a second time on
    # purpose, e.g. to rebuild a view after a fix.
    reapply: bool = False


_GROUPS: dict[str, GroupSpec] = {}


def consumer_group(
    name: str, *, topics: tuple[str, ...], description: str = "", reapply: bool = False
) -> Callable[[Handler], Handler]:
    """Register `handler` for group `name`. It gets each event once, with the unit of work that also
    records the event as applied: write effects through it and they are exactly-once.
    `reapply=True` declares that applying an event twice is harmless (see GroupSpec.reapply)."""

    def register(handler: Handler) -> Handler:
        about = description or (handler.__doc__ or "").strip()
        _GROUPS[name] = GroupSpec(name, topics, handler, about, reapply)
        return handler

    return register


def groups() -> dict[str, GroupSpec]:
    importlib.import_module("hub.consumers.builtin")
    for ep in entry_points(group="hub.consumers"):
        ep.load()
    for module in filter(None, (m.strip() for m in os.environ.get("HUB_CONSUMER_MODULES", "").split(","))):
        importlib.import_module(module)
    return dict(sorted(_GROUPS.items()))


def group(name: str) -> GroupSpec:
    known = groups()
    if name not in known:
        raise KeyError(f"unknown consumer group {name!r}; known: {', '.join(known)}")
    return known[name]
