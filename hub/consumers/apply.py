"""Applying events for one consumer group: reading records, the group's dedupe claim, the handler in its
trace span, and what it decides about a record it cannot take."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import InterfaceError, OperationalError

from hub import tracing
from hub.broker.port import Record
from hub.clock import utcnow
from hub.consumers.delivery import Delivery, set_current
from hub.consumers.registry import GroupSpec
from hub.events import Event
from hub.events.reader import Unreadable, read_event
from hub.ids import stable_id
from hub.store import UnitOfWork
from hub.store.dead_letters import Letter
from hub.store.replay_marks import Marks


class ParkKey(Exception):  # an instruction to the runner, not an error
    """Raised by a handler of a group ordered per key: do not apply this event; keep it, with `reason`, and
    hold the key's later events back until `hub dlq redrive` (a channel sync that sees a sequence gap)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class StoreUnavailable(Exception):
    """The store itself failed (connection lost, database locked): no event is to blame."""


@dataclass(slots=True)
class Item:
    """One record as the group sees it: the event (current shape), or why it has none."""

    record: Record
    event: Event | None
    problem: str | None
    key: str
    event_id: str
    replay: bool
    event_type: str | None


def read(record: Record, marks: Marks) -> Item:
    replay = record.offset < marks.get((record.topic, record.partition), 0)
    try:
        event = read_event(record.headers, record.value)
    except Unreadable as exc:
        key = record.key.decode("utf-8", "replace")
        # Its own id where it has none we can read: the same record always gets the same one.
        event_id = stable_id("record", record.topic, str(record.partition), str(record.offset))
        return Item(record, None, str(exc), key, event_id, replay, exc.event_type)
    return Item(record, event, None, event.partitionkey, event.id, replay, event.type)


def describe(exc: BaseException) -> str:
    if isinstance(exc, ParkKey):
        return f"parked: {exc.reason}"
    return f"{type(exc).__name__}: {exc}"


def store_failure(exc: BaseException) -> bool:
    """The database went away or is locked: retry the batch later rather than blame the event."""
    return isinstance(exc, OperationalError | InterfaceError | StoreUnavailable)


def call(spec: GroupSpec, item: Item, uow: UnitOfWork, traced: bool) -> None:
    """The group's handler on one event, inside the event's trace when tracing is on."""
    assert item.event is not None
    set_current(Delivery(spec.name, item.replay))
    try:
        if not traced:
            spec.handler(item.event, uow)
            return
        record = item.record
        with tracing.tracer().start_as_current_span(
            f"process {record.topic}",
            context=tracing.context_of(item.event.traceparent),
            kind=tracing.SpanKind.CONSUMER,
            attributes={
                "messaging.operation.type": "process",
                "messaging.operation.name": "process",
                "messaging.destination.name": record.topic,
                "messaging.destination.partition.id": str(record.partition),
                "messaging.consumer.group.name": spec.name,
                "messaging.message.id": item.event_id,
                "messaging.kafka.message.key": item.key,
                "messaging.kafka.offset": record.offset,
                "hub.replay": item.replay,
            },
        ):
            spec.handler(item.event, uow)
    finally:
        set_current(None)


def claim(spec: GroupSpec, uow: UnitOfWork, items: Sequence[Item]) -> set[str]:
    """The group's dedupe: the ids of `items` it has not handled before (now claimed in `uow`)."""
    return uow.applied.claim(spec.name, [i.event_id for i in items], utcnow())


def letter(item: Item, status: str, error: str | None = None, attempts: int = 0) -> Letter:
    return Letter(item.record, item.event_id, item.event_type, item.key, status, error, attempts)
