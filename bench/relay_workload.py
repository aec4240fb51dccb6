"""The pieces of the relay benchmark: outbox rows in bulk, a baseline broker that awaits each send, and
a broker wrapper that notes when each event was acknowledged."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from hub.broker.port import Broker, Consumer, Message, Record
from hub.clock import utcnow
from hub.events import Event
from hub.events.orders import OrderPaid
from hub.ids import new_traceparent, stable_id
from hub.relay import Relay, Wakeup
from hub.relay.leases import LeaseKeeper
from hub.store import Store

STATUSES = ("UNPAID", "ON_HOLD", "AWAITING_SHIPMENT", "AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED")


def make_events(count: int, keys: int, *, run: str) -> list[Event]:
    """`count` OrderPaid envelopes over `keys` orders, round-robin, each key's sequence counting up."""
    at = datetime(2026, 1, 1, tzinfo=UTC)
    events = []
    for n in range(count):
        order, seq = n % keys, n // keys + 1
        data = OrderPaid(
            channel="tiktok",
            account="7494049642642441621",
            order_id=f"5764{order:014d}",
            channel_status=STATUSES[seq % len(STATUSES)],
            occurred_at=at + timedelta(seconds=n),
        )
        event_id = stable_id("bench", run, str(n))
        events.append(
            Event.create(
                data,
                event_id=event_id,
                source="/connectors/tiktok",
                sequence=seq,
                correlationid=event_id,
                causationid=event_id,
                traceparent=new_traceparent(),
            )
        )
    return events


def fill(store: Store, events: Sequence[Event], chunk: int = 2000) -> None:
    for start in range(0, len(events), chunk):
        with store.unit_of_work() as uow:
            uow.outbox.append(events[start : start + chunk], utcnow())
            uow.commit()


def set_pending(store: Store, pending: bool) -> None:
    with store.transaction() as conn:
        if pending:
            conn.execute(text("UPDATE outbox SET published_at = NULL"))
        else:
            conn.execute(
                text("UPDATE outbox SET published_at = :at WHERE published_at IS NULL"), {"at": utcnow()}
            )


def _event_id(message: Message) -> str:
    return next(v.decode() for k, v in message.headers if k == "ce_id")


class OneByOne:
    """The baseline: the same broker, but every message is its own publish, awaited before the next."""

    def __init__(self, inner: Broker) -> None:
        self.inner = inner

    def publish(self, messages: Sequence[Message]) -> None:
        for message in messages:
            self.inner.publish([message])

    def ensure_topics(self, topics: Sequence[str]) -> None:
        self.inner.ensure_topics(topics)

    def consumer(self, group: str, topics: Sequence[str]) -> Consumer:
        return self.inner.consumer(group, topics)

    def read(
        self, topics: Sequence[str], *, since: datetime | None = None, limit: int | None = None
    ) -> Iterator[Record]:
        return self.inner.read(topics, since=since, limit=limit)

    def reset_group(self, group: str, topics: Sequence[str], *, to: datetime | None = None) -> None:
        self.inner.reset_group(group, topics, to=to)

    def close(self) -> None:
        self.inner.close()


class AckClock(OneByOne):
    """Notes the moment the broker acknowledged each event (publish returned), by event id."""

    def __init__(self, inner: Broker, one_by_one: bool) -> None:
        super().__init__(inner)
        self.one_by_one = one_by_one
        self.acked: dict[str, float] = {}

    def publish(self, messages: Sequence[Message]) -> None:
        groups = [[m] for m in messages] if self.one_by_one else [list(messages)]
        for group in groups:
            self.inner.publish(group)
            now = time.monotonic()
            for message in group:
                self.acked.setdefault(_event_id(message), now)


def throughput(
    store: Store, broker: Broker, *, limit: int | None = None, pipelined: bool = True
) -> tuple[int, float]:
    """Publish pending rows (all, or about `limit`) with the real relay, holding shard leases as `hub
    relay` does; return (events, seconds). Pipelined: `Relay.drain`; else one `publish_once` after
    another, the relay with nothing overlapped."""
    leases = LeaseKeeper(store, ttl_s=10)
    relay = Relay(store, broker, leases=leases)
    started = time.perf_counter()
    total = 0
    if pipelined:
        total = relay.drain()
    else:
        while limit is None or total < limit:
            published = relay.publish_once()
            if not published:
                break
            total += published
    elapsed = time.perf_counter() - started
    leases.release()
    return total, elapsed


def one_step_run(relay: Relay, stop: threading.Event, wakeup: Wakeup) -> None:
    """The baseline's loop: one batch at a time, nothing overlapped (Relay.run before the pipeline)."""
    while not stop.is_set():
        if relay.publish_once() < relay.batch_size:
            wakeup.wait(min(1.0, relay.leases.due_in()) if relay.leases else 1.0)


def latency(
    store: Store, broker: AckClock, events: Sequence[Event], rate: int, seconds: float, warmup_s: float = 2.0
) -> tuple[list[float], int]:
    """A producer thread commits `rate` events/s (10 per transaction) while the relay runs; return the
    commit-to-ack latencies in ms of events committed after the warm-up, and how many never got acked."""
    per_commit = 10
    wakeup = Wakeup()
    stop = threading.Event()
    leases = LeaseKeeper(store, ttl_s=10)
    relay = Relay(store, broker, leases=leases)
    # The baseline awaits each send and overlaps nothing; the relay is what `hub up` runs.
    run = one_step_run if broker.one_by_one else Relay.run
    thread = threading.Thread(target=run, args=(relay, stop, wakeup), daemon=True)
    thread.start()
    committed: dict[str, float] = {}
    started = time.monotonic()
    total = min(len(events), int(rate * seconds))
    for n, start in enumerate(range(0, total, per_commit)):
        due = started + n * per_commit / rate
        if (wait := due - time.monotonic()) > 0:
            time.sleep(wait)
        chunk = events[start : start + per_commit]
        with store.unit_of_work() as uow:
            uow.outbox.append(chunk, utcnow())
            uow.commit()
        now = time.monotonic()
        for event in chunk:
            committed[event.id] = now
        wakeup.notify()  # what the intake does after each commit in `hub up`
    deadline = time.monotonic() + 30
    while len(broker.acked) < len(committed) and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(timeout=60)
    leases.release()
    measured = [
        (broker.acked[e] - at) * 1000
        for e, at in committed.items()
        if at - started >= warmup_s and e in broker.acked
    ]
    return measured, sum(1 for e in committed if e not in broker.acked)


class CpuMeter:
    """The whole machine's CPU busy fraction over a `with` block (/proc/stat; 0 where there is none)."""

    busy = 0.0

    def __enter__(self) -> CpuMeter:
        self._start = _cpu_times()
        return self

    def __exit__(self, *exc: object) -> None:
        total, idle = (end - start for end, start in zip(_cpu_times(), self._start, strict=True))
        self.busy = 1 - idle / total if total else 0.0


def _cpu_times() -> tuple[int, int]:
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return 0, 0
    return sum(fields), fields[3] + fields[4]  # all of user..steal; idle + iowait


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]
