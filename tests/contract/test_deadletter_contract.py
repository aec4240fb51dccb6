"""The dead-letter contract, over every store and broker: a failing event is retried with backoff, then kept
as a dead letter; in a group ordered per key its key parks (later events of that key wait, in order, while
other keys flow) until a redrive applies them in their original order and releases the key; an unordered
group moves on; an event of an unknown major version is a dead letter with that reason."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from hub.broker.port import Broker, Message
from hub.clock import utcnow
from hub.consumers.deadletters import drop, redrive
from hub.consumers.registry import GroupSpec, Ordering
from hub.consumers.runner import GroupRunner
from hub.events import Event
from hub.health import dead_letters
from hub.relay import Relay
from hub.retry import RetryPolicy
from hub.store import Store, UnitOfWork
from hub.store.tables import audit_log, outbox
from tests.contract.feed import commit_stock
from tests.contract.stacks import EmbeddedStack, KafkaStack, PostgresStack, SqliteStack
from tests.faults.checker import check_audit

SKUS = [f"SKU-{n}" for n in range(6)]
POISONED = "SKU-2"
FAST = RetryPolicy(max_attempts=3, first_wait_s=0.01, max_wait_s=0.05)


def stock_group(name: str, poisoned: set[str], ordering: Ordering = "per_key") -> GroupSpec:
    """Applies each event as an audit_log row under its own name; fails on the event ids in `poisoned`
    for as long as they are in it (a bug, then its fix)."""

    def handler(event: Event, uow: UnitOfWork) -> None:
        if event.id in poisoned:
            raise RuntimeError(f"cannot sync {event.data['sku']} version {event.sequence}")
        uow.audit_log.record(name, event, utcnow())

    return GroupSpec(name, ("inventory",), handler, "test group", ordering=ordering, retry=FAST)


def event_id(store: Store, key: str, sequence: int) -> str:
    with store.transaction() as conn:
        query = select(outbox.c.event_id).where(outbox.c.partition_key == key, outbox.c.sequence == sequence)
        return str(conn.execute(query).scalar_one())


def applied(store: Store, group: str, key: str) -> list[int]:
    with store.transaction() as conn:
        query = (
            select(audit_log.c.sequence)
            .where(audit_log.c.group_name == group, audit_log.c.partition_key == key)
            .order_by(audit_log.c.id)
        )
        return [int(s) for s in conn.execute(query).scalars()]


def publish(store: Store, broker: Broker, levels: range) -> None:
    commit_stock(store, SKUS, levels)
    Relay(store, broker).drain()


class DeadLetterContract:
    @pytest.fixture
    def runners(self) -> Iterator[list[GroupRunner]]:
        made: list[GroupRunner] = []
        yield made
        for runner in made:
            runner.consumer.close()

    def test_a_poison_event_parks_its_key_others_flow_and_a_redrive_delivers_in_order(
        self, store: Store, broker: Broker, runners: list[GroupRunner]
    ) -> None:
        publish(store, broker, range(1, 6))  # versions 1..5 of each SKU
        poisoned = {event_id(store, POISONED, 2)}
        group = stock_group("stock-sync", poisoned)
        runners.append(runner := GroupRunner(store, broker, group))
        assert runner.drain() == len(SKUS) * 5

        assert applied(store, "stock-sync", POISONED) == [1]  # parked at its failing version 2
        for sku in set(SKUS) - {POISONED}:
            assert applied(store, "stock-sync", sku) == [1, 2, 3, 4, 5]
        with store.read_only() as uow:
            (dead,) = uow.dead_letters.open_letters("stock-sync", dead_only=True)
            queue = uow.dead_letters.queue("stock-sync", POISONED)
            assert [p.partition_key for p in uow.dead_letters.parked("stock-sync")] == [POISONED]
        assert (dead.event_id, dead.attempts) == (event_id(store, POISONED, 2), FAST.max_attempts)
        assert dead.error == f"RuntimeError: cannot sync {POISONED} version 2"
        assert Event.from_binary(dead.record().headers, dead.record().value).sequence == 2  # kept whole
        assert [(q.status, _seq(q)) for q in queue] == [
            ("dead", 2),
            ("parked", 3),
            ("parked", 4),
            ("parked", 5),
        ]
        assert dead_letters(store, "stock-sync") == 1

        publish(store, broker, range(6, 8))  # live events while the key is parked: it waits, others flow
        assert runner.drain() == len(SKUS) * 2
        assert applied(store, "stock-sync", POISONED) == [1]
        assert applied(store, "stock-sync", "SKU-0") == [1, 2, 3, 4, 5, 6, 7]

        poisoned.clear()  # the fix is deployed
        result = redrive(store, {"stock-sync": group}, key=POISONED)
        assert [_seq(r) for r in result.applied] == [2, 3, 4, 5, 6, 7]
        assert result.released == [("stock-sync", POISONED)]
        assert applied(store, "stock-sync", POISONED) == [1, 2, 3, 4, 5, 6, 7]
        assert dead_letters(store, "stock-sync") == 0

        publish(store, broker, range(8, 9))  # released: the key flows again
        assert runner.drain() == len(SKUS)
        report = check_audit(store, "stock-sync")
        assert report.ok, report  # nothing lost, nothing twice, every key in order

    def test_a_redelivered_dead_letter_is_neither_applied_nor_kept_twice(
        self, store: Store, broker: Broker, runners: list[GroupRunner]
    ) -> None:
        publish(store, broker, range(1, 4))
        group = stock_group("redelivered", {event_id(store, POISONED, 1)})
        first = GroupRunner(store, broker, group)
        assert first.drain() == len(SKUS) * 3
        first.consumer.close()
        broker.reset_group("redelivered", ("inventory",))  # as after a crash before the offsets' commit
        runners.append(again := GroupRunner(store, broker, group))
        assert again.drain() == len(SKUS) * 3

        with store.read_only() as uow:
            assert len(uow.dead_letters.queue("redelivered", POISONED)) == 3  # 1 dead, 2 parked, once each
        assert applied(store, "redelivered", POISONED) == []
        assert check_audit(store, "redelivered").duplicated == {}

    def test_an_unordered_group_moves_on_and_an_unknown_major_version_is_a_dead_letter(
        self, store: Store, broker: Broker, runners: list[GroupRunner]
    ) -> None:
        publish(store, broker, range(1, 4))
        poisoned = {event_id(store, POISONED, 2)}
        # From a newer producer: the same event at a major version this hub does not know.
        record = next(r for r in broker.read(["inventory"]) if r.key == b"SKU-0")
        future = [
            (k, b"urn:hub:event:InventoryAdjusted:v9" if k == "ce_dataschema" else v)
            for k, v in record.headers
        ]
        future = [(k, str(uuid.uuid4()).encode() if k == "ce_id" else v) for k, v in future]
        broker.publish([Message("inventory", b"SKU-0", record.value, future, record.timestamp_ms)])

        group = stock_group("unordered", poisoned, ordering="none")
        runners.append(runner := GroupRunner(store, broker, group))
        assert runner.drain() == len(SKUS) * 3 + 1

        assert applied(store, "unordered", POISONED) == [1, 3]  # moved on past version 2
        with store.read_only() as uow:
            letters = {letter.partition_key: letter for letter in uow.dead_letters.open_letters("unordered")}
            assert uow.dead_letters.parked("unordered") == []
        assert set(letters) == {POISONED, "SKU-0"}
        assert letters["SKU-0"].error.startswith("unknown major version v9 of InventoryAdjusted")
        assert letters["SKU-0"].event_type == "InventoryAdjusted"
        assert dead_letters(store, "unordered") == 2

        poisoned.clear()
        assert [
            _seq(r) for r in redrive(store, {"unordered": group}, letter_id=letters[POISONED].id).applied
        ] == [2]
        dropped = letters["SKU-0"]
        drop(store, dropped.id, reason="test: a producer ahead of this hub")
        assert dead_letters(store, "unordered") == 0
        with store.read_only() as uow:
            assert [(t["action"], t["reason"]) for t in uow.dead_letters.trail(dropped.id)] == [
                ("dropped", "test: a producer ahead of this hub")
            ]

    def test_a_group_calling_outside_retries_a_failing_call_then_keeps_it_as_a_dead_letter(
        self, store: Store, broker: Broker, runners: list[GroupRunner]
    ) -> None:
        """A group whose effect is a call to another system (transactional=False, as an HTTP sink): a call
        that fails twice is made again until it succeeds, one that always fails is made as often as the
        retry policy allows and then kept; every event is claimed once."""
        publish(store, broker, range(1, 3))
        flaky, broken = event_id(store, "SKU-1", 1), event_id(store, POISONED, 2)
        calls: Counter[str] = Counter()

        def call(event: Event, uow: UnitOfWork) -> None:
            calls[event.id] += 1
            if event.id == broken or (event.id == flaky and calls[event.id] <= 2):
                raise RuntimeError(f"the endpoint answered 503 for {event.data['sku']}")

        group = GroupSpec("outside", ("inventory",), call, "test sink", retry=FAST, transactional=False)
        runners.append(runner := GroupRunner(store, broker, group))
        assert runner.drain() == len(SKUS) * 2

        assert calls[flaky] == 3 and calls[broken] == FAST.max_attempts
        assert sorted(calls.values()).count(1) == len(SKUS) * 2 - 2
        with store.read_only() as uow:
            assert uow.applied.claimed("outside", list(calls)) == set(calls)
            letters = uow.dead_letters.open_letters("outside")
        assert [(letter.event_id, letter.partition_key) for letter in letters] == [(broken, POISONED)]
        assert "503" in (letters[0].error or "")

    def test_a_redrive_of_a_group_calling_outside_calls_in_order_and_releases_its_key(
        self, store: Store, broker: Broker, runners: list[GroupRunner]
    ) -> None:
        publish(store, broker, range(1, 5))  # versions 1..4 of each SKU
        broken = {event_id(store, POISONED, 2)}
        called: list[tuple[str, int]] = []

        def call(event: Event, uow: UnitOfWork) -> None:
            if event.id in broken:
                raise RuntimeError("the endpoint answered 503")
            called.append((event.data["sku"], event.sequence))

        group = GroupSpec("sink-redrive", ("inventory",), call, "test sink", retry=FAST, transactional=False)
        runners.append(runner := GroupRunner(store, broker, group))
        assert runner.drain() == len(SKUS) * 4
        assert [seq for sku, seq in called if sku == POISONED] == [1]  # 2 dead, 3 and 4 parked behind it

        broken.clear()  # the endpoint is fixed
        done = redrive(store, {group.name: group}, key=POISONED)
        assert [_seq(letter) for letter in done.applied] == [2, 3, 4]
        assert done.released == [(group.name, POISONED)]
        publish(store, broker, range(5, 6))
        assert runner.drain() == len(SKUS)
        assert [seq for sku, seq in called if sku == POISONED] == [1, 2, 3, 4, 5]
        _all_settled(store, group.name)

    def test_a_key_released_while_a_group_calling_outside_holds_its_batch_is_delivered_not_parked(
        self, store: Store, broker: Broker, runners: list[GroupRunner]
    ) -> None:
        """The group reads which keys are parked, then calls, then writes. A redrive that releases a key
        in between (here: during a call for another key) must not leave that key's new records parked
        behind nothing; they are delivered, after the redriven ones."""
        publish(store, broker, range(1, 3))
        broken = {event_id(store, POISONED, 1)}
        called: list[tuple[str, int]] = []
        group: GroupSpec | None = None
        redrove: list[object] = []

        def call(event: Event, uow: UnitOfWork) -> None:
            if event.id in broken:
                raise RuntimeError("the endpoint answered 503")
            called.append((event.data["sku"], event.sequence))
            if event.sequence == 3 and not redrove and group is not None:
                broken.clear()  # fixed; the operator redrives while the group is mid-batch
                redrove.append(redrive(store, {group.name: group}, key=POISONED))

        group = GroupSpec("sink-race", ("inventory",), call, "test sink", retry=FAST, transactional=False)
        runners.append(runner := GroupRunner(store, broker, group))
        assert runner.drain() == len(SKUS) * 2  # SKU-2: 1 dead, 2 parked
        publish(store, broker, range(3, 5))
        assert runner.drain() == len(SKUS) * 2
        assert redrove
        assert [seq for sku, seq in called if sku == POISONED] == [1, 2, 3, 4]
        _all_settled(store, group.name)

    def test_a_redrive_of_a_group_calling_outside_holds_no_write_lock_while_it_calls(
        self, store: Store, broker: Broker, runners: list[GroupRunner]
    ) -> None:
        """While the endpoint takes its time, the intake (any writer) commits: on SQLite a write
        transaction around the call would hold the whole database."""
        publish(store, broker, range(1, 3))
        broken = {event_id(store, POISONED, 2)}
        calling, entered, answered = threading.Event(), threading.Event(), threading.Event()

        def call(event: Event, uow: UnitOfWork) -> None:
            if event.id not in broken:
                return
            if not calling.is_set():  # the running group's calls fail fast
                raise RuntimeError("the endpoint answered 503")
            entered.set()
            threading.Event().wait(5)  # the endpoint is slow during the redrive
            answered.set()

        group = GroupSpec("sink-slow", ("inventory",), call, "test sink", retry=FAST, transactional=False)
        runners.append(runner := GroupRunner(store, broker, group))
        assert runner.drain() == len(SKUS) * 2
        calling.set()
        specs = {group.name: group}
        redriving = threading.Thread(target=redrive, args=(store, specs), kwargs={"key": POISONED})
        redriving.start()
        assert entered.wait(10)
        commit_stock(store, ["SKU-written-meanwhile"], range(1, 2))
        written_while_calling = not answered.is_set()
        redriving.join()
        assert written_while_calling
        assert answered.is_set()
        with store.read_only() as uow:
            assert uow.dead_letters.open_letters(group.name) == []


def _all_settled(store: Store, group: str) -> None:
    """No dead letter of the group is open, and none of its keys parked."""
    with store.read_only() as uow:
        assert uow.dead_letters.open_letters(group) == []
        assert uow.dead_letters.parked(group) == []


def _seq(letter: object) -> int:
    record = letter.record()  # type: ignore[attr-defined]
    return Event.from_binary(record.headers, record.value).sequence


class TestSqliteEmbedded(SqliteStack, EmbeddedStack, DeadLetterContract):
    pass


class TestSqliteKafka(SqliteStack, KafkaStack, DeadLetterContract):
    pass


class TestPostgresEmbedded(PostgresStack, EmbeddedStack, DeadLetterContract):
    pass


class TestPostgresKafka(PostgresStack, KafkaStack, DeadLetterContract):
    pass
