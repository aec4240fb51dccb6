"""Relay throughput and commit-to-ack latency, each next to a baseline relay that awaits every send,
measured in the same run on the same machine.

    .venv/bin/python bench/relay_throughput.py [--events 100000] [--keys 10000]

Starts its own Kafka and PostgreSQL (tests/infra launchers, on quiet ports) and uses a SQLite file for
the one-machine path. Per path it fills the outbox with --events rows over --keys keys, then
  1. throughput: the relay publishes them all; the baseline publishes --baseline-events of them;
  2. latency: a producer thread commits --rate events/s for --seconds while the relay runs, and each
     event's commit-to-ack time is taken (ack = the broker's publish returned, before the mark).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tests.infra

from infra_ports import kafka_node, postgres_server
from relay_workload import (
    AckClock,
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
from tests.infra import fresh_database


@dataclass
class Row:
    path: str
    relay_rate: float = 0.0
    baseline_rate: float = 0.0
    relay_p50: float = 0.0
    relay_p99: float = 0.0
    baseline_p50: float = 0.0
    baseline_p99: float = 0.0
    baseline_unacked: int = 0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--keys", type=int, default=10_000)
    parser.add_argument("--baseline-events", type=int, default=5_000, help="the baseline's sample")
    parser.add_argument("--rate", type=int, default=1_000, help="events/s for the latency runs")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each latency run")
    parser.add_argument("--paths", default="pg-kafka,pg-embedded,sqlite-embedded")
    args = parser.parse_args()

    print(f"generating {args.events:,} events over {args.keys:,} keys ...", flush=True)
    events = make_events(args.events, args.keys, run=uuid.uuid4().hex)
    steady = make_events(int(args.rate * args.seconds) * 2, args.keys, run=uuid.uuid4().hex)
    rows = []
    with ExitStack() as infra:
        work = Path(infra.enter_context(tempfile.TemporaryDirectory(prefix="hub-bench-")))
        wanted = args.paths.split(",")
        kafka = infra.enter_context(kafka_node()) if any(p.endswith("kafka") for p in wanted) else None
        postgres = infra.enter_context(postgres_server()) if any(p.startswith("pg") for p in wanted) else None
        for path in wanted:
            store_url = (
                fresh_database(postgres, f"bench_{uuid.uuid4().hex[:10]}")
                if path.startswith("pg") and postgres is not None
                else f"sqlite:///{work}/{path}.db"
            )

            def broker_factory(path: str = path) -> Broker:
                if path.endswith("kafka") and kafka is not None:
                    broker = open_broker(kafka.url, topic_prefix=f"b{uuid.uuid4().hex[:8]}.")
                else:
                    broker = open_broker(f"sqlite:///{work}/log-{uuid.uuid4().hex[:8]}.db")
                broker.ensure_topics(TOPICS)
                return broker

            rows.append(measure(path, store_url, broker_factory, events, steady, args))
    report(rows, args)


def measure(
    path: str,
    store_url: str,
    broker_factory: Callable[[], Broker],
    events: list[Event],
    steady: list[Event],
    args: argparse.Namespace,
) -> Row:
    row = Row(path)
    store = Store(store_url)
    store.migrate()
    print(f"[{path}] filling the outbox ...", flush=True)
    fill(store, events)

    with opened(broker_factory()) as broker:
        count, seconds = throughput(store, broker)
        row.relay_rate = count / seconds
        print(f"[{path}] relay: {count:,} events in {seconds:.2f} s", flush=True)
    set_pending(store, True)
    with opened(broker_factory()) as broker:
        count, seconds = throughput(store, OneByOne(broker), limit=args.baseline_events)
        row.baseline_rate = count / seconds
        print(f"[{path}] baseline: {count:,} events in {seconds:.2f} s", flush=True)
    set_pending(store, False)

    half = len(steady) // 2
    for one_by_one, sample in ((False, steady[:half]), (True, steady[half:])):
        with opened(broker_factory()) as broker:
            clock = AckClock(broker, one_by_one)
            measured, unacked = latency(store, clock, sample, args.rate, args.seconds)
        p50, p99 = percentile(measured, 0.5), percentile(measured, 0.99)
        who = "baseline" if one_by_one else "relay"
        print(f"[{path}] {who} at {args.rate}/s: p50 {p50:.1f} ms, p99 {p99:.1f} ms, unacked {unacked}")
        if one_by_one:
            row.baseline_p50, row.baseline_p99, row.baseline_unacked = p50, p99, unacked
        else:
            row.relay_p50, row.relay_p99 = p50, p99
        set_pending(store, False)
    store.dispose()
    return row


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
    widths = (16, 10, 9, 6, 7, 7, 9, 9, 7)
    print(
        line(("path", "relay/s", "base/s", "x", "p50 ms", "p99 ms", "base p50", "base p99", "p99 x"), widths)
    )
    for r in rows:
        cells = (
            r.path,
            f"{r.relay_rate:,.0f}",
            f"{r.baseline_rate:,.0f}",
            f"{r.relay_rate / r.baseline_rate:.1f}",
            f"{r.relay_p50:.1f}",
            f"{r.relay_p99:.1f}",
            f"{r.baseline_p50:,.0f}",
            f"{r.baseline_p99:,.0f}" + ("+" if r.baseline_unacked else ""),
            f"{r.baseline_p99 / r.relay_p99:,.0f}",
        )
        print(line(cells, widths))
    print("x: relay over baseline throughput; p99 x: baseline p99 over relay p99; latency = commit to ack.")
    print(
        "'+': the baseline fell behind the rate; some events were not acked within 30 s of the last commit."
    )


def line(cells: tuple[str, ...], widths: tuple[int, ...]) -> str:
    return "  ".join(
        c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
    )


if __name__ == "__main__":
    main()
