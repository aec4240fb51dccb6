"""What a consumer group is (GroupSpec), and @consumer_group, which registers one written in Python.
hub.consumers.discovery finds every group, these and the ones declared in YAML."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from hub.events import Event
from hub.retry import RetryPolicy
from hub.store import UnitOfWork

# A group's effect of one event, written through the unit of work it is given (its repositories, or a
# plug-in's own through uow.get(...)): the same transaction records the event as applied, and the caller
# commits it, so effects are exactly-once. A handler never commits. hub.consumers.delivery.current() says
# whether the event is a replay.
Handler = Callable[[Event, UnitOfWork], None]
Ordering = Literal["per_key", "none"]
DEFAULT_RETRY = RetryPolicy()


@dataclass(frozen=True)
class GroupSpec:
    name: str
    topics: tuple[str, ...]
    handler: Handler
    description: str = ""
    # The handler gives the same state when an event comes again (an upsert keyed by the event's
    # subject, say), so `hub consume GROUP --rewind ... --reapply` may apply events a second time on
    # purpose, e.g. to rebuild a view after a fix.
    reapply: bool = False
    owner: str = ""
    # The event types it applies; None: every type on its topics. Others are read past.
    event_types: frozenset[str] | None = None
    # per_key: a key's events apply in order and a dead letter parks its key; none: it is passed.
    ordering: Ordering = "per_key"
    retry: RetryPolicy = DEFAULT_RETRY
    # False: the handler's effect is a call to another system (an HTTP sink), made outside any write
    # transaction (a slow endpoint never holds the store's write lock) and at least once: the call goes
    # before the claim, so a crash between the two repeats it, and the idempotency key lets it dedupe.
    transactional: bool = True
    source: str = "python"  # the file that declared it, or "python" for @consumer_group
    sink: str = ""  # what the handler is, for people: "python module:function", "http URL"

    @property
    def ordered(self) -> bool:
        return self.ordering == "per_key"

    def wants(self, event_type: str) -> bool:
        return self.event_types is None or event_type in self.event_types

    def prepare(self) -> None:
        """Fail now, naming the variable, if the sink lacks a secret (rather than at the first event)."""
        prepare = getattr(self.handler, "prepare", None)
        if callable(prepare):
            prepare()


_GROUPS: dict[str, GroupSpec] = {}


def consumer_group(
    name: str,
    *,
    topics: tuple[str, ...],
    description: str = "",
    reapply: bool = False,
    ordering: Ordering = "per_key",
    retry: RetryPolicy = DEFAULT_RETRY,
) -> Callable[[Handler], Handler]:
    """Register `handler` for group `name`. It gets each event once, with the unit of work that also
    records the event as applied: write effects through it and they are exactly-once.
    `reapply=True` declares that applying an event twice is harmless (see GroupSpec.reapply)."""

    def register(handler: Handler) -> Handler:
        about = description or (handler.__doc__ or "").strip()
        sink = f"python {handler.__module__}:{handler.__qualname__}"
        _GROUPS[name] = GroupSpec(
            name, topics, handler, about, reapply, ordering=ordering, retry=retry, sink=sink
        )
        return handler

    return register


def registered() -> dict[str, GroupSpec]:
    """The groups registered with @consumer_group so far (hub.consumers.discovery adds the declared ones)."""
    return dict(_GROUPS)
