"""Replay: apply the events whose event time lies in [start, end) to one consumer group, each at most once.

Event time is the event's own `time` (CloudEvents `ce_time`: when the fact happened at the marketplace),
not when the hub committed or published it. The log is indexed by commit time, which is never earlier
than the event time except by clock skew between the marketplace and us, so the read starts
`CLOCK_SKEW` before `start` and runs to the end of the log as it is when the replay begins: a fact that
reached the hub late is still found. The group's dedupe rows (consumer_inbox) make the replay
exactly-once per group: events it already applied, live or by an earlier replay, are skipped. The
group's committed offsets are not touched, so its live members go on where they were.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hub.broker.port import Broker, Record
from hub.consumers.registry import GroupSpec
from hub.consumers.runner import apply_once
from hub.events import Event
from hub.events.reader import read_event
from hub.store import Store

CLOCK_SKEW = timedelta(hours=1)
BATCH = 500


@dataclass(frozen=True, slots=True)
class Replayed:
    group: str
    start: datetime
    end: datetime
    matched: int  # events of the window found in the log
    applied: int  # of those, applied now; the rest the group had applied before

    @property
    def skipped(self) -> int:
        return self.matched - self.applied


def event_time(record: Record) -> datetime | None:
    for name, value in record.headers:
        if name == "ce_time":
            return datetime.fromisoformat(value.decode()).astimezone(UTC)
    return None


def in_window(broker: Broker, topics: tuple[str, ...], start: datetime, end: datetime) -> Iterator[Record]:
    """The log's records with event time in [start, end), in log order per partition."""
    for record in broker.read(topics, since=start - CLOCK_SKEW):
        at = event_time(record)
        if at is not None and start <= at < end:
            yield record


def replay(store: Store, broker: Broker, spec: GroupSpec, start: datetime, end: datetime) -> Replayed:
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("replay window bounds need a UTC offset")
    if end <= start:
        raise ValueError(f"empty replay window: {start.isoformat()} is not before {end.isoformat()}")
    matched = applied = 0
    batch: list[Event] = []
    for record in in_window(broker, spec.topics, start, end):
        batch.append(read_event(record.headers, record.value))  # old majors through their upcasters
        if len(batch) == BATCH:
            matched, applied = matched + len(batch), applied + apply_once(store, spec, batch)
            batch = []
    if batch:
        matched, applied = matched + len(batch), applied + apply_once(store, spec, batch)
    return Replayed(spec.name, start, end, matched, applied)
