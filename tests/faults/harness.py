"""What every fault test runs: `hub` processes against PostgreSQL + Kafka, intake that keeps going through
outages (as a marketplace redelivers a webhook that got no answer), and the final check."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from hub.broker.factory import open_broker
from hub.events import TOPICS
from hub.intake.delivery import Delivery
from hub.store import Store
from hub.store.tables import outbox
from tests.faults.checker import (
    Report,
    check_audit,
    check_log,
    check_order_view,
    committed,
    wait_until_applied,
)
from tests.infra import KafkaNode, PostgresServer, fresh_database
from tests.support.hubproc import hub_env
from tests.support.orders import intake
from tests.support.paths import REPO

log = logging.getLogger(__name__)

# Kafka's smallest allowed session timeout: a member that dies is replaced within seconds, not 45.
KAFKA_TEST_OPTIONS = "session_timeout_ms=6000&heartbeat_interval_ms=1000"


class HubProcess:
    """One `hub VERB ...` process in its own process group, output in a log file."""

    def __init__(self, env: dict[str, str], args: Iterable[str], log_file: Path) -> None:
        self.env = env
        self.args = list(args)
        self.log_file = log_file
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> HubProcess:
        with self.log_file.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "hub", *self.args],
                env=self.env,
                cwd=REPO,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, sig: int, timeout_s: float = 30) -> int:
        """Send `sig` to the process and wait for it to end; SIGKILL if it outlives the timeout."""
        assert self.process is not None
        if self.process.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        return self.process.returncode

    def kill(self) -> int:
        return self.signal(signal.SIGKILL)

    def output(self) -> str:
        return self.log_file.read_text(errors="replace") if self.log_file.exists() else ""


class Feeder(threading.Thread):
    """Accepts deliveries through the real intake in batches, `pause_s` apart. A batch that fails (the
    database is away) is offered again until every delivery is accepted or reported a duplicate."""

    def __init__(self, store: Store, items: Iterable[Delivery], *, batch: int = 100, pause_s: float = 0.0):
        super().__init__(name="feeder", daemon=True)
        self.service = intake(store)
        self.items = list(items)
        self.batch = batch
        self.pause_s = pause_s
        self.accepted = 0
        self.failures = 0
        self.done = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            for start in range(0, len(self.items), self.batch):
                self._deliver(self.items[start : start + self.batch])
                self.accepted += min(self.batch, len(self.items) - start)
                if self.pause_s:
                    time.sleep(self.pause_s)
        except BaseException as exc:  # surfaced by finish()
            self.error = exc
        finally:
            self.done.set()

    def _deliver(self, chunk: list[Delivery]) -> None:
        pending = chunk
        deadline = time.monotonic() + 120
        while pending:
            receipts = self.service.accept(pending)
            pending = [d for d, r in zip(pending, receipts, strict=True) if isinstance(r, Exception)]
            if pending:
                self.failures += 1
                if time.monotonic() > deadline:
                    raise RuntimeError(f"intake kept failing: {receipts[0]!r}")
                time.sleep(0.2)

    def finish(self, timeout_s: float = 180) -> None:
        assert self.done.wait(timeout_s), "the feeder did not finish"
        if self.error is not None:
            raise self.error


@dataclass
class FaultStack:
    """A fresh database and topic prefix on the session's PostgreSQL and Kafka."""

    postgres: PostgresServer
    kafka: KafkaNode
    home: Path
    prefix: str = field(default_factory=lambda: f"f{uuid.uuid4().hex[:10]}.")
    processes: list[HubProcess] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.database_url = fresh_database(self.postgres, f"fault_{uuid.uuid4().hex[:12]}")
        self.store = Store(self.database_url)
        self.store.migrate()
        self.broker_url = f"{self.kafka.url}?{KAFKA_TEST_OPTIONS}"
        self.broker = open_broker(self.broker_url, topic_prefix=self.prefix)
        self.broker.ensure_topics(TOPICS)

    def env(self, **extra: str) -> dict[str, str]:
        return hub_env(
            self.home,
            HUB_DATABASE_URL=self.database_url,
            HUB_BROKER_URL=self.broker_url,
            HUB_TOPIC_PREFIX=self.prefix,
            HUB_CONNECTORS="tiktok",
            **extra,
        )

    def hub(self, *args: str, **extra_env: str) -> HubProcess:
        name = "-".join(args).replace("/", "_")
        process = HubProcess(self.env(**extra_env), args, self.home / f"{name}-{len(self.processes)}.log")
        self.processes.append(process)
        return process.start()

    def consumers(self) -> list[HubProcess]:
        return [self.hub("consume", "audit"), self.hub("consume", "order-view")]

    def published(self) -> int:
        with self.store.transaction() as conn:
            return int(
                conn.execute(select(func.count()).where(outbox.c.published_at.is_not(None))).scalar_one()
            )

    def wait_published(self, at_least: int, timeout_s: float = 60) -> int:
        deadline = time.monotonic() + timeout_s
        while (count := self.published()) < at_least:
            assert time.monotonic() < deadline, (
                f"only {count} published, waited for {at_least}\n{self.logs()}"
            )
            time.sleep(0.1)
        return count

    def check(self, timeout_s: float = 120) -> list[Report]:
        """Wait until both groups have applied every committed event, then report on them and the log."""
        reports = [
            wait_until_applied(lambda: check_audit(self.store), timeout_s),
            wait_until_applied(lambda: check_order_view(self.store), timeout_s),
        ]
        reports.append(check_log(self.broker.read(TOPICS), committed(self.store)))
        for report in reports:
            log.warning("%s", report)
        return reports

    def logs(self) -> str:
        return "\n".join(f"--- hub {' '.join(p.args)} ---\n{p.output()[-3000:]}" for p in self.processes)

    def close(self) -> None:
        for process in self.processes:
            if process.running():
                process.kill()
        self.broker.close()
        self.store.dispose()


def assert_all_ok(reports: list[Report], stack: FaultStack) -> None:
    problems = [r for r in reports if not r.ok]
    assert not problems, "\n".join(map(str, problems)) + "\n" + stack.logs()


def fault_stack(postgres: PostgresServer, kafka: KafkaNode, home: Path) -> Iterator[FaultStack]:
    stack = FaultStack(postgres, kafka, home)
    try:
        yield stack
    finally:
        stack.close()
