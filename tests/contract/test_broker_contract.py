"""The broker contract: what the relay, the consumer groups and `hub events` rely on, asserted the same way
against the embedded log and against a real Kafka broker."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest

from hub.broker.factory import open_broker
from hub.broker.port import Broker, Consumer, JsonHeaders, Message, PublishError, Record, partition_for
from tests.contract.stacks import EmbeddedStack, KafkaStack
from tests.infra import free_port

NOW = datetime.now(UTC).replace(microsecond=0)
EARLIER = NOW - timedelta(minutes=10)


def ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def messages(
    count: int, *, keys: int = 10, topic: str = "orders", at: datetime = NOW, tag: str = "m"
) -> list[Message]:
    """`count` messages over `keys` keys; each value names its key and its place in publish order."""
    return [
        Message(
            topic=topic,
            key=f"tiktok:{i % keys:06d}".encode(),
            value=f'{{"n":{i},"tag":"{tag}"}}'.encode(),
            headers=(
                ("ce_id", f"{tag}-{i}".encode()),
                ("ce_subject", "Café ✓ order\x00with a NUL".encode()),
                ("traceparent", b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
                ("content-type", b"application/json"),
                ("ce_empty", b""),
            ),
            timestamp_ms=ms(at) + i,
        )
        for i in range(count)
    ]


def as_sent(record: Record) -> Message:
    return Message(record.topic, record.key, record.value, record.headers, record.timestamp_ms)


def positions(records: Sequence[Record]) -> set[tuple[str, int, int]]:
    return {(r.topic, r.partition, r.offset) for r in records}


def drain(consumer: Consumer, max_records: int = 100) -> list[Record]:
    """Poll until a poll comes back empty: the group has read what the log holds now."""
    records: list[Record] = []
    while batch := consumer.poll(max_records, 0.5):
        records.extend(batch)
    return records


class BrokerContract:
    """Every broker adapter passes these. Subclasses provide `broker` and `unreachable_broker`."""

    def test_records_read_back_with_the_same_key_value_headers_and_time(self, broker: Broker) -> None:
        sent = messages(30) + messages(5, topic="inventory", tag="inv")
        broker.publish(sent)

        read = list(broker.read(["orders", "inventory"]))

        assert sorted(map(as_sent, read), key=repr) == sorted(sent, key=repr)
        assert [r.timestamp_ms for r in read] == sorted(r.timestamp_ms for r in read)  # oldest first
        assert list(broker.read(["inventory"])) == [r for r in read if r.topic == "inventory"]

    def test_headers_handed_over_as_the_outbox_json_read_back_as_pairs(self, broker: Broker) -> None:
        pairs = [["ce_id", "j-1"], ["ce_subject", "Café ✓ order"], ["ce_empty", ""], ["content-type", "x"]]
        sent = Message("orders", b"k", b"{}", JsonHeaders(orjson.dumps(pairs).decode()), ms(NOW))
        broker.publish([sent, *messages(2)])

        read = list(broker.read(["orders"]))

        assert len(read) == 3
        assert [r.headers for r in read if r.key == b"k"] == [tuple((k, v.encode()) for k, v in pairs)]
        assert sorted((as_sent(r) for r in read if r.key != b"k"), key=repr) == sorted(messages(2), key=repr)

    def test_one_key_stays_on_one_partition_in_publish_order(self, broker: Broker) -> None:
        batches = [messages(60, keys=7, tag=f"b{b}") for b in range(3)]
        for batch in batches:
            broker.publish(batch)

        by_key: dict[bytes, list[Record]] = defaultdict(list)
        for record in broker.read(["orders"]):
            by_key[record.key].append(record)

        assert len(by_key) == 7
        sent_by_key: dict[bytes, list[bytes]] = defaultdict(list)
        for m in (m for batch in batches for m in batch):
            sent_by_key[m.key].append(m.value)
        for key, records in by_key.items():
            # The same partition number on every broker: Kafka's murmur2 partitioner.
            assert {r.partition for r in records} == {partition_for(key, 4)}
            in_offset_order = sorted(records, key=lambda r: r.offset)
            assert [r.value for r in in_offset_order] == sent_by_key[key]

    def test_two_groups_keep_independent_offsets(self, broker: Broker) -> None:
        broker.publish(messages(40))
        first = broker.consumer("billing", ["orders"])
        billing = drain(first)
        first.commit(billing)
        first.close()

        shipping = broker.consumer("shipping", ["orders"])
        assert len(drain(shipping)) == 40  # billing's commits do not move shipping
        shipping.close()
        again = broker.consumer("billing", ["orders"])
        assert drain(again) == []  # billing's own commits hold
        again.close()
        assert len(billing) == 40

    def test_uncommitted_records_go_to_the_next_member_of_the_group(self, broker: Broker) -> None:
        broker.publish(messages(25))
        crashed = broker.consumer("fulfillment", ["orders"])
        seen = drain(crashed)
        crashed.close()  # its effects never committed, so neither were its offsets

        successor = broker.consumer("fulfillment", ["orders"])
        assert positions(drain(successor)) == positions(seen)
        successor.close()
        assert len(seen) == 25

    def test_commit_moves_the_group_forward_to_just_after_the_committed_records(self, broker: Broker) -> None:
        broker.publish(messages(50))
        member = broker.consumer("accounting", ["orders"])
        records = drain(member, max_records=50)
        done = records[:20]
        member.commit(done)
        member.close()

        successor = broker.consumer("accounting", ["orders"])
        rest = drain(successor)
        successor.close()
        assert positions(rest) == positions(records) - positions(done)
        assert len(records) == 50

    def test_seek_to_records_delivers_them_again(self, broker: Broker) -> None:
        broker.publish(messages(40))
        member = broker.consumer("notifications", ["orders"])
        first = drain(member)
        failed_from = [r for r in first if r.partition == first[0].partition][3:]  # a failure mid-partition

        member.seek_to_records(failed_from)
        again = drain(member)
        member.close()

        assert positions(again) == positions(failed_from)
        assert [r.offset for r in again] == sorted(r.offset for r in failed_from)

    def test_read_since_a_time_starts_at_the_first_record_at_or_after_it(self, broker: Broker) -> None:
        broker.publish(messages(10, at=EARLIER, tag="old"))
        broker.publish(messages(10, at=NOW, tag="new"))

        recent = list(broker.read(["orders"], since=NOW - timedelta(minutes=1)))
        limited = list(broker.read(["orders"], limit=4))

        assert sorted(r.value for r in recent) == sorted(m.value for m in messages(10, at=NOW, tag="new"))
        assert [r.value for r in limited] == [m.value for m in messages(4, at=EARLIER, tag="old")]
        assert list(broker.read(["orders"], since=NOW + timedelta(hours=1))) == []

    def test_reset_group_replays_from_the_start_or_from_a_time(self, broker: Broker) -> None:
        broker.publish(messages(10, at=EARLIER, tag="old"))
        broker.publish(messages(10, at=NOW, tag="new"))
        member = broker.consumer("audit", ["orders"])
        everything = drain(member)
        member.commit(everything)
        member.close()

        broker.reset_group("audit", ["orders"])
        replay = broker.consumer("audit", ["orders"])
        from_start = drain(replay)
        replay.close()

        broker.reset_group("audit", ["orders"], to=NOW - timedelta(minutes=1))
        replay = broker.consumer("audit", ["orders"])
        from_time = drain(replay)
        replay.close()

        assert len(everything) == 20
        assert positions(from_start) == positions(everything)
        assert sorted(r.value for r in from_time) == sorted(m.value for m in messages(10, tag="new"))

    def test_publish_to_an_unreachable_broker_raises_publish_error(self, unreachable_broker: Broker) -> None:
        with pytest.raises(PublishError):
            unreachable_broker.publish(messages(3))


class TestEmbeddedBroker(EmbeddedStack, BrokerContract):
    @pytest.fixture
    def unreachable_broker(self, tmp_path: Path) -> Iterator[Broker]:
        # A path under a regular file cannot be created, whoever runs the tests (root included).
        (tmp_path / "not-a-folder").write_text("")
        broker = open_broker(f"sqlite:///{tmp_path}/not-a-folder/log.db")
        yield broker
        broker.close()


class TestKafkaBroker(KafkaStack, BrokerContract):
    @pytest.fixture
    def unreachable_broker(self) -> Iterator[Broker]:
        # Nothing listens on the port; short timeouts so the failure shows within seconds.
        url = (
            f"kafka://127.0.0.1:{free_port()}?api_timeout_ms=2000&max_block_ms=2000"
            "&request_timeout_ms=1000&delivery_timeout_ms=2000"
        )
        broker = open_broker(url)
        yield broker
        broker.close()
