"""Relay throughput and commit-to-ack latency, each next to a baseline relay that awaits every send,
measured in the same run on the same machine.

    .venv/bin/python bench/relay_throughput.py [--events 100000] [--keys 10000] [--processes 2]

Starts its own Kafka and PostgreSQL (tests/infra launchers, on quiet ports) and uses a SQLite file for
the one-machine path. Per path it fills the outbox with --events rows over --keys keys, then
  1. throughput: one relay (pipelined, holding shard leases as `hub relay` does) publishes them all;
     the baseline (one batch at a time, each message its own publish awaited before the next)
     publishes --baseline-events of them; then --processes relay processes share the shards;
  2. latency: a producer thread commits --rate events/s for --seconds while the relay runs, and each
     event's commit-to-ack time is taken (ack = the broker's publish returned, before the mark).
Machine load is printed per path: CPU busy on the whole machine while the single relay ran (other
sessions' work included) and the load average.
"""

from __future__ import annotations

import argparse
import functools
import gc
import os
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tests.infra

from relay_scaleout import scaled_throughput
from relay_workload import (
    AckClock,
    CpuMeter,
    OneByOne,
    fill,
    latency,
    make_events,
    percentile,
    set_pending,
    throughput,
)

from hub.broker.factory import open_broker
from hub.broker.port import Broker
from hub.events import TOPICS, Event
from hub.store import Store
from tests.infra import PostgresServer, fresh_database, running_kafka, running_postgres


@dataclass
class Row:
    path: str
    relay_rate: float = 0.0
    baseline_rate: float = 0.0
    scaled_rate: float = 0.0
    relay_p50: float = 0.0
    relay_p99: float = 0.0
    baseline_p50: float = 0.0
    baseline_p99: float = 0.0
    baseline_unacked: int = 0
    busy: float = 0.0
    load: float = 0.0


@dataclass
class Setup:
    name: str
    new_store_url: Callable[[], str]  # a fresh, empty database each call
    broker_url: str  # Kafka, or the embedded log's path stem: a fresh file per run

    def broker_url_for_run(self) -> tuple[str, str]:
        """(broker URL, topic prefix) for one measurement, so runs never read each other's records."""
        run = uuid.uuid4().hex[:8]
        if self.broker_url.startswith("kafka://"):
            return self.broker_url, f"b{run}."
        return f"{self.broker_url}-{run}.db", ""

    def broker(self) -> Broker:
        url, prefix = self.broker_url_for_run()
        broker = open_broker(url, topic_prefix=prefix)
        broker.ensure_topics(TOPICS)
        return broker


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--keys", type=int, default=10_000)
    parser.add_argument("--baseline-events", type=int, default=5_000, help="the baseline's sample")
    parser.add_argument("--processes", type=int, default=2, help="relay processes for the scale-out row")
    parser.add_argument("--rate", type=int, default=1_000, help="events/s for the latency runs")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each latency run")
    parser.add_argument("--paths", default="pg-kafka,pg-embedded,sqlite-embedded")
    args = parser.parse_args()

    print(f"generating {args.events:,} events over {args.keys:,} keys ...", flush=True)
    events = make_events(args.events, args.keys, run=uuid.uuid4().hex)
    steady = make_events(int(args.rate * args.seconds) * 2, args.keys, run=uuid.uuid4().hex)
    # The inputs are ~500,000 objects that live to the end: with them in the heap every full collection
    # took ~220 ms here, a pause in the relay thread that `hub relay` (a batch in memory) never has.
    gc.collect()
    gc.freeze()
    rows = []
    with ExitStack() as infra:
        work = Path(infra.enter_context(tempfile.TemporaryDirectory(prefix="hub-bench-")))
        wanted = args.paths.split(",")
        kafka = postgres = None
        if any(p.endswith("kafka") for p in wanted):
            kafka = infra.enter_context(running_kafka())
        if any(p.startswith("pg") for p in wanted):
            postgres = infra.enter_context(running_postgres())
        for name in wanted:
            new_store_url = (
                functools.partial(_pg_database, postgres)
                if name.startswith("pg") and postgres is not None
                else functools.partial(_sqlite_database, work, name)
            )
            broker_url = (
                kafka.url if name.endswith("kafka") and kafka is not None else f"sqlite:///{work}/log"
            )
            rows.append(measure(Setup(name, new_store_url, broker_url), events, steady, args))
    report(rows, args)


def measure(path: Setup, events: list[Event], steady: list[Event], args: argparse.Namespace) -> Row:
    row = Row(path.name)
    store = _migrated(path.new_store_url())
    print(f"[{path.name}] filling the outbox ...", flush=True)
    fill(store, events)

    with opened(path.broker()) as broker, CpuMeter() as meter:
        count, seconds = throughput(store, broker)
    row.relay_rate, row.busy, row.load = count / seconds, meter.busy, os.getloadavg()[0]
    print(
        f"[{path.name}] relay: {count:,} events in {seconds:.2f} s "
        f"(machine {meter.busy:.0%} busy, load {row.load:.1f})",
        flush=True,
    )
    set_pending(store, True)
    with opened(OneByOne(path.broker())) as broker:
        count, seconds = throughput(store, broker, limit=args.baseline_events, pipelined=False)
        row.baseline_rate = count / seconds
        print(f"[{path.name}] baseline: {count:,} events in {seconds:.2f} s", flush=True)
    if args.processes > 1:
        url, prefix = path.broker_url_for_run()
        count, seconds = scaled_throughput(store, url, lambda: prefix, args.processes)
        row.scaled_rate = count / seconds
        print(f"[{path.name}] {args.processes} relay processes: {count:,} events in {seconds:.2f} s")
    store.dispose()

    # Each latency run on an empty database: steady state, not the autovacuum and checkpoints that
    # re-marking 100,000 rows just before would set off (p99 480 ms instead of ~40 ms here on PostgreSQL).
    half = len(steady) // 2
    for one_by_one, sample in ((False, steady[:half]), (True, steady[half:])):
        store = _migrated(path.new_store_url())
        with opened(path.broker()) as broker:
            clock = AckClock(broker, one_by_one)
            measured, unacked = latency(store, clock, sample, args.rate, args.seconds)
        p50, p99 = percentile(measured, 0.5), percentile(measured, 0.99)
        who = "baseline" if one_by_one else "relay"
        print(f"[{path.name}] {who} at {args.rate}/s: p50 {p50:.1f} ms, p99 {p99:.1f} ms, unacked {unacked}")
        if one_by_one:
            row.baseline_p50, row.baseline_p99, row.baseline_unacked = p50, p99, unacked
        else:
            row.relay_p50, row.relay_p99 = p50, p99
        store.dispose()
    return row


def _migrated(url: str) -> Store:
    store = Store(url)
    store.migrate()
    return store


def _pg_database(server: PostgresServer) -> str:
    return fresh_database(server, f"bench_{uuid.uuid4().hex[:10]}")


def _sqlite_database(work: Path, name: str) -> str:
    return f"sqlite:///{work}/{name}-{uuid.uuid4().hex[:8]}.db"


@contextmanager
def opened(broker: Broker) -> Iterator[Broker]:
    try:
        yield broker
    finally:
        broker.close()


def report(rows: list[Row], args: argparse.Namespace) -> None:
    load = os.getloadavg()
    print()
    print(
        f"relay benchmark: {args.events:,} events over {args.keys:,} keys (baseline: first "
        f"{args.baseline_events:,}); latency at {args.rate:,} events/s for {args.seconds:.0f} s"
    )
    print(f"{os.cpu_count()} CPUs, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the end")
    widths = (16, 8, 8, 6, 9, 7, 7, 9, 9, 5, 5)
    heads = ("path", "relay/s", "base/s", "x", f"{args.processes} proc/s", "p50 ms", "p99 ms")
    print(line((*heads, "base p50", "base p99", "busy", "load"), widths))
    for r in rows:
        cells = (
            r.path,
            f"{r.relay_rate:,.0f}",
            f"{r.baseline_rate:,.0f}",
            f"{r.relay_rate / r.baseline_rate:.1f}",
            f"{r.scaled_rate:,.0f}",
            f"{r.relay_p50:.1f}",
            f"{r.relay_p99:.1f}",
            f"{r.baseline_p50:,.0f}",
            f"{r.baseline_p99:,.0f}" + ("+" if r.baseline_unacked else ""),
            f"{r.busy:.0%}",
            f"{r.load:.1f}",
        )
        print(line(cells, widths))
    print("x: one relay over baseline throughput; latency = commit to ack; busy: the machine's CPU while")
    print("the single relay ran, everything on it included; load: 1-minute load average then.")
    print(
        "'+': the baseline fell behind the rate; some events were not acked within 30 s of the last commit."
    )


def line(cells: tuple[str, ...], widths: tuple[int, ...]) -> str:
    return "  ".join(
        c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
    )


if __name__ == "__main__":
    main()
