"""PostgreSQL store figures: commit-to-publish latency of the relay woken by LISTEN/NOTIFY next to polling,
and retention cleanup throughput on PostgreSQL and SQLite, measured in the same run.

    .venv/bin/python bench/pg_relay.py [--commits 40] [--rows 200000]

Latency: a writer commits one event at a time (commit_drafts, as intake does, NOTIFY included) at random
intervals of 50-400 ms; a relay thread publishes to the embedded log; the figure is the time from the
writer's commit returning to the broker holding the event. Cleanup: `rows` published outbox rows and as
many consumer_inbox rows, all past retention, deleted by hub.retention.cleanup in batches of 1,000.
This is a benchmark, not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import insert  # noqa: E402

from hub.broker.embedded import EmbeddedLog  # noqa: E402
from hub.broker.port import Message  # noqa: E402
from hub.relay import Relay, Wakeup  # noqa: E402
from hub.relay.leases import LeaseKeeper  # noqa: E402
from hub.retention import cleanup  # noqa: E402
from hub.store import Store  # noqa: E402
from hub.store.postgres.listen import ListenWakeup, libpq_dsn  # noqa: E402
from hub.store.tables import consumer_inbox, outbox  # noqa: E402
from tests.contract.feed import commit_in, key_of  # noqa: E402
from tests.infra import PostgresServer, fresh_database, running_postgres  # noqa: E402


class StampingLog(EmbeddedLog):
    """The embedded log, noting when each key's event was durably held."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.held_at: dict[str, float] = {}

    def publish(self, messages: Sequence[Message]) -> None:
        super().publish(messages)
        now = time.monotonic()
        for m in messages:
            self.held_at.setdefault(m.key.decode(), now)


def new_store(server: PostgresServer) -> Store:
    store = Store(fresh_database(server, f"b_{uuid.uuid4().hex[:12]}"))
    store.migrate()
    return store


def latency(server: PostgresServer, make_wakeup: Callable[[Store], Wakeup], commits: int) -> list[float]:
    store = new_store(server)
    broker = StampingLog(Path(tempfile.mkdtemp(prefix="hub-bench-")) / "log.db")
    wakeup = make_wakeup(store)
    relay = Relay(store, broker, leases=LeaseKeeper(store))
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop, wakeup), daemon=True)
    thread.start()
    time.sleep(1.5)  # past the first heartbeat and the LISTEN
    committed_at: dict[str, float] = {}
    rng = random.Random(7)
    for n in range(commits):
        time.sleep(rng.uniform(0.05, 0.4))
        with store.unit_of_work() as uow:
            commit_in(uow, [f"lat-{n}"])
            uow.commit()
        committed_at[key_of(f"lat-{n}")] = time.monotonic()
    deadline = time.monotonic() + 10
    while len(broker.held_at) < commits and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join()
    wakeup.close()
    assert relay.leases is not None
    relay.leases.release()
    store.dispose()
    return [1000 * (broker.held_at[k] - t) for k, t in committed_at.items()]


def fill(store: Store, rows: int) -> None:
    old = datetime.now(UTC) - timedelta(days=30)
    chunk = 10_000
    for start in range(0, rows, chunk):
        n = min(chunk, rows - start)
        with store.transaction() as conn:
            conn.execute(
                insert(outbox),
                [
                    {
                        "event_id": f"e-{start + i}",
                        "topic": "orders",
                        "partition_key": f"shop:{start + i}",
                        "shard": (start + i) % 64,
                        "sequence": 1,
                        "event_type": "OrderPaid",
                        "headers": [["ce_id", f"e-{start + i}"]],
                        "payload": b'{"order_id": "x"}',
                        "created_at": old,
                        "published_at": old,
                    }
                    for i in range(n)
                ],
            )
            conn.execute(
                insert(consumer_inbox),
                [{"group_name": "audit", "event_id": f"e-{start + i}", "applied_at": old} for i in range(n)],
            )


def cleanup_rate(store: Store, rows: int) -> str:
    fill(store, rows)
    done = cleanup(store, timedelta(days=7))
    assert (done.outbox, done.consumer_inbox) == (rows, rows), done
    batches = 2 * (rows // 1000 + 1)
    return (
        f"{2 * rows:,} rows in {done.seconds:.1f} s = {2 * rows / done.seconds:,.0f} rows/s, "
        f"{1000 * done.seconds / batches:.1f} ms per 1,000-row transaction"
    )


def summary(ms: list[float]) -> str:
    q = statistics.quantiles(ms, n=20)
    p50, p95 = statistics.median(ms), q[18]
    return f"p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   max {max(ms):7.1f} ms   (n={len(ms)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--commits", type=int, default=40)
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    with running_postgres() as server:
        modes: list[tuple[str, Callable[[Store], Wakeup]]] = [
            ("LISTEN/NOTIFY (poll 1 s fallback)", lambda s: ListenWakeup(libpq_dsn(s.url), poll_s=1.0)),
            ("poll every 1 s", lambda s: Wakeup(poll_s=1.0)),
            ("poll every 0.1 s", lambda s: Wakeup(poll_s=0.1)),
        ]
        print("commit-to-publish latency, PostgreSQL store, embedded log")
        for name, make in modes:
            print(f"  {name:<36} {summary(latency(server, make, args.commits))}")
        print(f"retention cleanup of {args.rows:,} outbox + {args.rows:,} consumer_inbox rows")
        print(f"  PostgreSQL  {cleanup_rate(new_store(server), args.rows)}")
    sqlite_store = Store(f"sqlite:///{tempfile.mkdtemp(prefix='hub-bench-')}/hub.db")
    sqlite_store.migrate()
    print(f"  SQLite      {cleanup_rate(sqlite_store, args.rows)}")


if __name__ == "__main__":
    main()
