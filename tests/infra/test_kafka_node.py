"""Proves tests.infra.kafka runs a real broker: topics, idempotent produce, group consume, restart, kill.

No skips: if the broker cannot start, these tests fail with the broker's log in the message.
"""

from __future__ import annotations

import shutil
import socket
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.structs import TopicPartition

from tests.infra.kafka import KafkaNode, running_kafka

RECORDS = 1_000
KEYS = 50

# (partition, offset, key, value, headers) of one consumed record
Seen = tuple[int, int, bytes, bytes, dict[str, bytes]]


@pytest.fixture(scope="module")
def kafka() -> Iterator[KafkaNode]:
    with running_kafka(partitions=4) as node:
        yield node


def _create_topic(node: KafkaNode, partitions: int = 4) -> str:
    name = f"infra-{uuid.uuid4().hex[:10]}"
    admin = KafkaAdminClient(bootstrap_servers=node.bootstrap, client_id="infra-test-admin")
    try:
        admin.create_topics([NewTopic(name, num_partitions=partitions, replication_factor=1)])
    finally:
        admin.close()
    return name


def _produce(node: KafkaNode, topic: str, count: int = RECORDS) -> None:
    producer = KafkaProducer(
        bootstrap_servers=node.bootstrap,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
    )
    try:
        futures = []
        for i in range(count):
            key = f"order-{i % KEYS}"
            seq = i // KEYS
            headers = [("ce_id", f"evt-{i}".encode()), ("content-type", b"application/json")]
            value = f'{{"key": "{key}", "seq": {seq}}}'.encode()
            futures.append(producer.send(topic, key=key.encode(), value=value, headers=headers))
        producer.flush(timeout=60)
        for fut in futures:
            fut.get(timeout=30)  # raises if any record was not acknowledged by the broker
    finally:
        producer.close(timeout=10)


def _consume_all(node: KafkaNode, topic: str, group: str, expected: int, limit_s: float = 60.0) -> list[Seen]:
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=node.bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        session_timeout_ms=10_000,
    )
    seen: list[Seen] = []
    try:
        deadline = time.monotonic() + limit_s
        while len(seen) < expected and time.monotonic() < deadline:
            batches = consumer.poll(timeout_ms=500)
            for records in batches.values():
                for r in records:
                    seen.append((r.partition, r.offset, r.key, r.value, dict(r.headers)))
            if batches:
                consumer.commit()
    finally:
        consumer.close()
    return seen


def _assert_complete_and_ordered(seen: list[Seen], expected: int = RECORDS) -> None:
    assert len(seen) == expected
    per_key: dict[bytes, list[int]] = defaultdict(list)
    partition_of_key: dict[bytes, set[int]] = defaultdict(set)
    for partition, _offset, key, value, headers in seen:
        per_key[key].append(int(value.split(b'"seq": ')[1].rstrip(b"}")))
        partition_of_key[key].add(partition)
        assert headers["content-type"] == b"application/json"
        assert headers["ce_id"].startswith(b"evt-")
    assert len(per_key) == KEYS
    for key, seqs in per_key.items():
        assert seqs == list(range(expected // KEYS)), f"order broken for {key!r}"
        assert len(partition_of_key[key]) == 1, f"{key!r} spread over partitions"
    assert len({p for p, *_ in seen}) == 4, "expected the keys to cover all 4 partitions"


def _committed_total(node: KafkaNode, topic: str, group: str) -> int:
    consumer = KafkaConsumer(bootstrap_servers=node.bootstrap, group_id=group, enable_auto_commit=False)
    try:
        return sum(consumer.committed(TopicPartition(topic, p)) or 0 for p in range(4))
    finally:
        consumer.close()


def test_roundtrip_then_restart_keeps_data_and_offsets(kafka: KafkaNode) -> None:
    assert kafka.url == f"kafka://127.0.0.1:{kafka.port}"
    assert kafka.bootstrap == f"127.0.0.1:{kafka.port}"
    topic = _create_topic(kafka)
    _produce(kafka, topic)
    _assert_complete_and_ordered(_consume_all(kafka, topic, "g-before", RECORDS))
    assert _committed_total(kafka, topic, "g-before") == RECORDS

    old_pid = kafka.pid
    kafka.restart()
    assert kafka.pid != old_pid

    _assert_complete_and_ordered(_consume_all(kafka, topic, "g-after", RECORDS))
    assert _committed_total(kafka, topic, "g-before") == RECORDS, "committed offsets lost on restart"
    # The broker takes new writes after the restart too.
    _produce(kafka, topic, count=KEYS)
    assert len(_consume_all(kafka, topic, "g-before", KEYS)) == KEYS


def test_kill_keeps_acknowledged_records(kafka: KafkaNode) -> None:
    topic = _create_topic(kafka)
    _produce(kafka, topic)
    pid = kafka.pid
    kafka.kill()
    assert kafka.pid is None
    assert pid is not None
    kafka.start()
    _assert_complete_and_ordered(_consume_all(kafka, topic, "g-kill", RECORDS))


@pytest.mark.parametrize("listening", [True, False], ids=["port-listened-on", "port-bound"])
def test_start_failure_raises_with_broker_log(listening: bool) -> None:
    # Hold the broker's port so it cannot bind: start() must raise, not hang or skip. A listening holder
    # would also fool a bare TCP readiness poll; a bound-only one makes the broker itself fail to bind.
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        if listening:
            blocker.listen()
        data_dir = Path(tempfile.mkdtemp(prefix="hub-kafka-fail-"))
        node = KafkaNode(data_dir, port=blocker.getsockname()[1])
        try:
            with pytest.raises(RuntimeError, match="failed to start") as info:
                node.start()
            message = str(info.value)
            assert "last 40 lines" in message
            if listening:
                assert "already in use" in message
            else:
                assert "Address already in use" in message or "BindException" in message, message
            assert node.pid is None
        finally:
            node.kill()
            shutil.rmtree(data_dir, ignore_errors=True)
