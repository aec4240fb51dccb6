"""Did every committed event reach each group, once, in per-key order? Read from the store's own tables.

Committed events are the outbox rows. What a group applied is read from its effects: `audit_log` rows
(the `audit` group, and test groups that write there under their own name) in the order they were
written, or `order_view` with the group's `consumer_inbox` claims for the `order-view` group.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select

from hub.broker.port import Record
from hub.events import Event
from hub.store import Store
from hub.store.tables import audit_log, consumer_inbox, order_view, outbox

KeyedSeqs = dict[str, list[int]]


@dataclass(repr=False)
class Report:
    """Problems by partition key; each list holds the affected events' sequence numbers."""

    group: str
    committed: int
    keys: int
    lost: KeyedSeqs = field(default_factory=dict)
    duplicated: KeyedSeqs = field(default_factory=dict)
    reordered: KeyedSeqs = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not (self.lost or self.duplicated or self.reordered)

    def __str__(self) -> str:
        head = f"{self.group}: {self.committed} committed event(s) over {self.keys} key(s)"
        if self.ok:
            return f"{head}: none lost, none applied twice, none out of order"
        lines = [head]
        for name, problems in (
            ("lost", self.lost),
            ("duplicated", self.duplicated),
            ("reordered", self.reordered),
        ):
            if problems:
                count = sum(map(len, problems.values()))
                sample = "; ".join(f"{k}: {v[:8]}" for k, v in sorted(problems.items())[:5])
                lines.append(f"  {name}: {count} event(s) over {len(problems)} key(s), e.g. {sample}")
        return "\n".join(lines)

    __repr__ = __str__  # pytest shows an assertion message through repr()


def committed(store: Store, topics: Iterable[str] | None = None) -> dict[str, list[int]]:
    """Sequences committed per key (the outbox), ascending."""
    query = select(outbox.c.partition_key, outbox.c.sequence)
    if topics is not None:
        query = query.where(outbox.c.topic.in_(list(topics)))
    by_key: dict[str, list[int]] = defaultdict(list)
    with store.transaction() as conn:
        for key, seq in conn.execute(query):
            by_key[key].append(int(seq))
    return {k: sorted(v) for k, v in by_key.items()}


def compare(
    group: str, expected: Mapping[str, Sequence[int]], applied: Mapping[str, Sequence[int]]
) -> Report:
    """`applied`: per key, the sequences in the order the group applied them (repeats included)."""
    report = Report(group, sum(map(len, expected.values())), len(expected))
    for key in sorted(set(expected) | set(applied)):
        want, got = expected.get(key, []), list(applied.get(key, []))
        counts = Counter(got)
        if lost := [s for s in want if counts[s] == 0]:
            report.lost[key] = lost
        if duplicated := sorted(s for s, n in counts.items() if n > 1):
            report.duplicated[key] = duplicated
        highest, late = 0, []
        for seq in dict.fromkeys(got):  # first applications, in the order they happened
            if seq < highest:
                late.append(seq)
            highest = max(highest, seq)
        if late:
            report.reordered[key] = late
    return report


def check_audit(store: Store, group: str = "audit", topics: Iterable[str] | None = None) -> Report:
    """A group whose effect is one audit_log row per applied event, written in application order."""
    applied: dict[str, list[int]] = defaultdict(list)
    query = (
        select(audit_log.c.partition_key, audit_log.c.sequence)
        .where(audit_log.c.group_name == group)
        .order_by(audit_log.c.id)
    )
    with store.transaction() as conn:
        for key, seq in conn.execute(query):
            applied[key].append(int(seq))
    return compare(group, committed(store, topics), applied)


def check_order_view(store: Store, group: str = "order-view") -> Report:
    """The order-view group: one row per order counting its applications; the order of application is
    read from the group's claims (one timestamp per applied batch, batches in per-key order)."""
    expected = committed(store, ["orders"])
    with store.transaction() as conn:
        views = conn.execute(
            select(order_view.c.channel, order_view.c.order_id, order_view.c.events_applied)
        ).all()
        claims = conn.execute(
            select(outbox.c.partition_key, outbox.c.sequence, consumer_inbox.c.applied_at)
            .join(consumer_inbox, consumer_inbox.c.event_id == outbox.c.event_id)
            .where(consumer_inbox.c.group_name == group)
        ).all()
    by_key: dict[str, list[tuple[object, int]]] = defaultdict(list)
    for key, seq, at in claims:
        by_key[key].append((at, int(seq)))
    applied = {key: [seq for _, seq in sorted(rows)] for key, rows in by_key.items()}
    report = compare(group, expected, applied)
    # The claims are unique per event; a double application shows in the view's own counter.
    for channel, order, count in views:
        key = f"{channel}:{order}"
        if count > len(expected.get(key, [])):
            report.duplicated.setdefault(key, []).append(count)
    return report


def check_log(records: Iterable[Record], expected: Mapping[str, Sequence[int]], name: str = "log") -> Report:
    """The broker's log itself: every committed event present, and per key in sequence order (first
    occurrences by offset; a re-published duplicate later in the log is allowed: at least once)."""
    ordered = sorted(records, key=lambda r: (r.topic, r.partition, r.offset))
    in_log: dict[str, list[int]] = defaultdict(list)
    for record in ordered:
        event = Event.from_binary(record.headers, record.value)
        in_log[event.partitionkey].append(event.sequence)
    report = compare(name, expected, in_log)
    report.duplicated = {}  # duplicates in the log are the relay's at-least-once; effects must not repeat
    return report


def wait_until_applied(check: Callable[[], Report], timeout_s: float, *, interval_s: float = 0.5) -> Report:
    """Poll `check` until nothing is lost (then return that report) or the time is up (return the last)."""
    deadline = time.monotonic() + timeout_s
    while True:
        report = check()
        if not report.lost or time.monotonic() > deadline:
            return report
        time.sleep(interval_s)
