"""Relay processes side by side, sharing the outbox's shards through leases as several `hub relay` do.

Each process runs the pipelined relay on its leased shards (per-key order holds: a key lives in one
shard, a shard is published by one relay at a time). The parent waits until the leases have settled
(each process holds its fair share), makes every outbox row pending in one commit, and measures from
that commit until the last process marked its last row.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from collections.abc import Callable
from multiprocessing.sharedctypes import Synchronized
from multiprocessing.synchronize import Event as MpEvent

from relay_workload import set_pending
from sqlalchemy import func, select

from hub.broker.factory import open_broker
from hub.events import TOPICS
from hub.relay import Relay, Wakeup
from hub.relay.leases import LeaseKeeper
from hub.store import Store
from hub.store.tables import outbox as outbox_table
from hub.store.tables import relay_leases

POLL_S = 0.01  # how often an idle relay looks for rows (in-process wakeups do not cross processes)


def relay_process(
    store_url: str, broker_url: str, prefix: str, stop: MpEvent, last_mark: Synchronized[float]
) -> None:
    store = Store(store_url)
    broker = open_broker(broker_url, topic_prefix=prefix)
    broker.ensure_topics(TOPICS)
    leases = LeaseKeeper(store, ttl_s=10)
    relay = Relay(store, broker, leases=leases)
    wakeup = Wakeup(POLL_S)
    try:
        while not stop.is_set():
            if relay.stream():
                last_mark.value = time.monotonic()  # CLOCK_MONOTONIC: comparable across processes
            else:
                wakeup.wait(min(POLL_S, leases.due_in()))
    finally:
        leases.release()
        broker.close()
        store.dispose()


def settled(store: Store, processes: int) -> bool:
    """Every shard leased, and each process holding its fair share."""
    with store.transaction() as conn:
        owners = conn.execute(select(relay_leases.c.owner, func.count()).group_by(relay_leases.c.owner)).all()
    counts = sorted(n for owner, n in owners if owner is not None)
    return len(counts) == processes and all(owner is not None for owner, _ in owners)


def scaled_throughput(
    store: Store, broker_url: str, prefix: Callable[[], str], processes: int, timeout_s: float = 300
) -> tuple[int, float]:
    """Events per run and seconds from the commit that made them pending to the last mark."""
    set_pending(store, False)
    with store.transaction() as conn:
        events = int(conn.execute(select(func.count()).select_from(outbox_table)).scalar_one())
    context = mp.get_context("spawn")  # the parent holds threads (Kafka clients): fork would copy locks
    stop = context.Event()
    marks = [context.Value("d", 0.0) for _ in range(processes)]
    topic_prefix = prefix()
    workers = [
        context.Process(target=relay_process, args=(store.url, broker_url, topic_prefix, stop, mark))
        for mark in marks
    ]
    for worker in workers:
        worker.start()
    try:
        deadline = time.monotonic() + 120
        while not settled(store, processes):
            assert time.monotonic() < deadline, "the relays' leases never settled"
            time.sleep(0.2)
        set_pending(store, True)
        started = time.monotonic()
        deadline = started + timeout_s
        while True:
            with store.read_only() as uow:
                if not uow.outbox.backlog():
                    break
            assert time.monotonic() < deadline, "the relays did not drain the outbox"
            time.sleep(0.25)  # counting the backlog loads the database; the marks give the time
        finished = max(mark.value for mark in marks)
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=60)
    return events, finished - started
