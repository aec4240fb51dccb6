"""Consumer group throughput: the batch runner (one transaction per polled batch, the same dedupe claims)
against the one-by-one runner it replaced (one transaction per event), in the same run, per broker.

    .venv/bin/python bench/consumers.py [--events 50000] [--baseline-events 2000] [--brokers embedded,kafka]

Per broker it fills an SQLite store's outbox with --events OrderPaid events over --keys orders, publishes
them with the relay, then lets each built-in group (audit: a row per event; order-view: an upsert per
order) read them all, once as a batch runner and once as the baseline on its own group id (only
--baseline-events of them: it is slow). The clock starts at the first batch (a Kafka group join is not
throughput) and stops when the group has read its share. Printed: events/s of each and the ratio. Kafka
is started from tests/infra (Maven-fetched jars), on a quiet port.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tests.infra

from relay_workload import fill, make_events
from sqlite_floor import batched_rows_us, one_transaction_us

from hub import gc_settings
from hub.broker.factory import open_broker
from hub.broker.port import Broker, Record
from hub.clock import utcnow
from hub.consumers.discovery import groups
from hub.consumers.registry import GroupSpec
from hub.consumers.runner import GroupRunner
from hub.events import TOPICS, Event
from hub.relay import Relay
from hub.store import Store
from tests.infra import running_kafka


class OneByOne(GroupRunner):
    """The runner before batching: each event claimed, applied and committed in its own transaction."""

    def _apply(self, records: Sequence[Record]) -> None:
        for record in records:
            event = Event.from_binary(record.headers, record.value)
            with self.store.unit_of_work() as uow:
                if uow.applied.claim(self.spec.name, [event.id], utcnow()):
                    self.spec.handler(event, uow)
                uow.commit()
        self.consumer.commit(records)


def rate(runner: GroupRunner, expected: int) -> tuple[float, float]:
    """Events per second and per CPU-second of this process, from the first applied batch on, until
    `expected` records were read. The second is what one process does on a core of its own: on a machine
    that other work keeps busy the first is lower."""
    first = runner.run_once(60.0)  # joins the group and applies a first batch, untimed
    began, cpu, read = time.perf_counter(), time.process_time(), 0
    while first + read < expected:
        n = runner.run_once(5.0)
        if not n:
            break
        read += n
    seconds, cpu_seconds = time.perf_counter() - began, time.process_time() - cpu
    runner.consumer.close()
    if first + read < expected:
        raise SystemExit(f"{runner.spec.name}: read {first + read} of {expected}")
    return read / seconds, read / cpu_seconds


Rates = tuple[float, float]  # events per second, and per CPU-second of this process


def measure(
    name: str, broker_url: str, work: Path, args: argparse.Namespace
) -> list[tuple[str, Rates, Rates]]:
    run = uuid.uuid4().hex[:8]
    store = Store(f"sqlite:///{work}/{name}-{run}.db")
    store.migrate()
    prefix = f"b{run}." if broker_url.startswith("kafka://") else ""
    url = broker_url if prefix else f"{broker_url}-{run}.db"
    broker: Broker = open_broker(url, topic_prefix=prefix)
    broker.ensure_topics(TOPICS)
    print(f"[{name}] filling and publishing {args.events:,} events ...", flush=True)
    fill(store, make_events(args.events, args.keys, run=run))
    gc.collect()
    Relay(store, broker).drain()
    rows = []
    for group in ("audit", "order-view"):
        spec: GroupSpec = groups()[group]
        batch = rate(
            GroupRunner(
                store,
                broker,
                dataclasses.replace(spec, name=f"{group}-batch-{run}"),
                **({"batch_size": args.batch} if args.batch else {}),
            ),
            args.events,
        )
        base = OneByOne(store, broker, dataclasses.replace(spec, name=f"{group}-single-{run}"), batch_size=50)
        single = rate(base, args.baseline_events)
        said = f"batch {batch[0]:,.0f}/s ({batch[1]:,.0f}/cpu-s), one by one {single[0]:,.0f}/s"
        print(f"[{name}] {group}: {said} ({single[1]:,.0f}/cpu-s)", flush=True)
        rows.append((group, batch, single))
    broker.close()
    store.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--keys", type=int, default=5_000)
    parser.add_argument("--baseline-events", type=int, default=2_000, help="the one-by-one runner's sample")
    parser.add_argument("--brokers", default="embedded,kafka")
    parser.add_argument("--batch", type=int, help="records per poll of the batch runner (its default)")
    args = parser.parse_args()
    gc_settings.for_long_running()  # as `hub consume` and `hub up` run, for both runners alike
    table = []
    with ExitStack() as infra:
        work = Path(infra.enter_context(tempfile.TemporaryDirectory(prefix="hub-bench-")))
        for name in args.brokers.split(","):
            url = infra.enter_context(running_kafka()).url if name == "kafka" else f"sqlite:///{work}/log"
            table += [(name, *row) for row in measure(name, url, work, args)]
        one, rows = one_transaction_us(work), batched_rows_us(work)
    load = os.getloadavg()[0]
    print(f"\n{args.events:,} events over {args.keys:,} orders, SQLite store (synchronous=FULL)", end="")
    print(f"; load average {load:.1f}")
    print(
        f"SQLite alone on this disk (bench/sqlite_floor.py): a one-row transaction {one:,.0f} us, "
        f"the batch's two rows per event {rows:.1f} us; a batch runner's ratio stays below "
        f"{one / rows:.0f}x before it reads an event"
    )
    print("| broker | group | batch events/s (per CPU-s) | one-by-one events/s (per CPU-s) | ratio |")
    print("|---|---|---:|---:|---:|")
    for name, group, batch, single in table:
        print(
            f"| {name} | {group} | {batch[0]:,.0f} ({batch[1]:,.0f}) | {single[0]:,.0f} ({single[1]:,.0f}) "
            f"| {batch[0] / single[0]:.0f}x |"
        )


if __name__ == "__main__":
    main()
