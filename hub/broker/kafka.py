"""Apache Kafka as the hub's log, through kafka-python: an idempotent producer for the relay, classic
consumer groups with offsets committed after the group's effects, and replay by time or from the start.

Topic and group names carry the configured prefix on the wire; everything handed back to callers uses
the logical names, so the rest of the hub never sees the prefix.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient, OffsetSpec, OffsetTimestamp

from hub.broker.kafka_consumer import KafkaGroupConsumer, Names, read_records
from hub.broker.kafka_options import parse_bootstrap
from hub.broker.port import (
    GroupBusy,
    GroupOffsets,
    JsonHeaders,
    Message,
    PublishError,
    Record,
    partition_for,
)

log = logging.getLogger(__name__)

# kafka-python logs every refused connection and retried request at WARNING or ERROR; the hub reports
# what matters (a failed publish, a failed group commit) itself. Leave a level someone set alone.
if logging.getLogger("kafka").level == logging.NOTSET:
    logging.getLogger("kafka").setLevel(logging.CRITICAL)

_TOPIC_ALREADY_EXISTS = 36


# Producers whose close() failed: kept referenced so that the library's __del__ does not retry the
# close and print its failure at interpreter exit. Only a flush that never completes puts one here.
_UNCLOSABLE: list[KafkaProducer] = []


def _close_quietly(producer: KafkaProducer, timeout_s: float) -> None:
    try:
        producer.close(timeout=timeout_s)
    except Exception as exc:
        log.warning("abandoned kafka producer did not close within %.0f s: %s", timeout_s, exc)
        _UNCLOSABLE.append(producer)


class KafkaBroker:
    system = "kafka"

    def __init__(self, bootstrap: str, *, partitions: int = 4, topic_prefix: str = "") -> None:
        self.servers, self.options = parse_bootstrap(bootstrap)
        self.partitions = partitions
        self.names = Names(topic_prefix)
        self._lock = threading.Lock()  # the relay publishes while consumer threads ask for admin calls
        self._producer: KafkaProducer | None = None
        self._admin: KafkaAdminClient | None = None
        self._known_topics: set[str] = set()

    @property
    def bootstrap(self) -> str:
        return ",".join(self.servers)

    def _client_config(self) -> dict[str, Any]:
        return {
            "bootstrap_servers": self.servers,
            "request_timeout_ms": self.options.request_timeout_ms,
            "bootstrap_timeout_ms": self.options.api_timeout_ms,
            "reconnect_backoff_max_ms": self.options.reconnect_backoff_max_ms,
        }

    # -- topics

    def _admin_client(self) -> KafkaAdminClient:
        if self._admin is None:
            self._admin = KafkaAdminClient(**self._client_config())
        return self._admin

    def ensure_topics(self, topics: Sequence[str]) -> None:
        wanted = [t for t in dict.fromkeys(topics) if t not in self._known_topics]
        if not wanted:
            return
        with self._lock:
            admin = self._admin_client()
            existing = set(admin.list_topics())
            new = {
                self.names.topic(t): {
                    "num_partitions": self.partitions,
                    "replication_factor": self.options.replication_factor,
                }
                for t in wanted
                if self.names.topic(t) not in existing
            }
            if new:
                result = admin.create_topics(new, raise_errors=False)
                for topic in result["topics"]:
                    # Another process creating the same topic at the same moment is not an error.
                    if topic["error_code"] not in (0, _TOPIC_ALREADY_EXISTS):
                        raise RuntimeError(
                            f"kafka {self.bootstrap}: cannot create topic {topic['name']}: "
                            f"{topic.get('error_message') or topic['error_code']}"
                        )
                admin.wait_for_topics(list(new), timeout_ms=self.options.api_timeout_ms)
            self._known_topics.update(wanted)

    # -- producing

    def _producer_client(self) -> KafkaProducer:
        if self._producer is None:
            self._producer = KafkaProducer(
                **self._client_config(),
                acks="all",
                enable_idempotence=True,
                # Idempotence keeps up to 5 in-flight requests per connection in order, so a key's
                # messages land in publish order even when a request is retried.
                max_in_flight_requests_per_connection=5,
                linger_ms=self.options.linger_ms,
                batch_size=self.options.batch_size,
                delivery_timeout_ms=self.options.delivery_timeout_ms,
                max_block_ms=self.options.max_block_ms,
            )
        return self._producer

    def publish(self, messages: Sequence[Message]) -> None:
        if not messages:
            return
        with self._lock:
            try:
                producer = self._producer_client()
                topics = {
                    t: (self.names.topic(t), self._partition_count(producer, t))
                    for t in {m.topic for m in messages}
                }
                send = producer.send
                futures = []
                # kafka-python's send is most of the relay's CPU (60-90 us per record with 13 headers); keep
                # ours per record to unpacking, look-ups and the headers list it insists on.
                for topic, key, value, headers, timestamp_ms in messages:
                    name, partitions = topics[topic]
                    futures.append(
                        send(
                            name,
                            value=value,
                            key=key,
                            headers=headers.pairs() if type(headers) is JsonHeaders else list(headers),
                            # The producer's own murmur2 partitioner, but cached per key (partition_for).
                            partition=partition_for(key, partitions),
                            timestamp_ms=timestamp_ms,
                        )
                    )
                # Every future is done once delivery_timeout_ms has passed; the margin covers a slow flush.
                producer.flush(timeout=self.options.delivery_timeout_ms / 1000 + 5)
            except Exception as exc:
                self._drop_producer()
                raise PublishError(f"kafka {self.bootstrap}: {type(exc).__name__}: {exc}") from exc
            failed = [f.exception for f in futures if not f.succeeded()]
            if failed:
                self._drop_producer()
                raise PublishError(
                    f"kafka {self.bootstrap}: {len(failed)} of {len(messages)} message(s) not "
                    f"acknowledged; first: {type(failed[0]).__name__}: {failed[0]}"
                )

    def _partition_count(self, producer: KafkaProducer, topic: str) -> int:
        partitions = producer.partitions_for(self.names.topic(topic))  # waits for metadata if new
        if not partitions:
            raise PublishError(f"kafka {self.bootstrap}: topic {self.names.topic(topic)} has no partitions")
        return len(partitions)

    def _drop_producer(self, *, wait: bool = False) -> None:
        # After a failure start over with a new producer id: nothing of the failed batch counts as
        # published, the relay sends all of it again, and consumers skip what landed twice.
        producer, self._producer = self._producer, None
        if producer is not None:
            # close() flushes first, so with batches still pending (a flush that timed out) it blocks;
            # let it wind down beside the relay instead of in its way.
            timeout_s = self.options.delivery_timeout_ms / 1000 + 5
            if wait:
                _close_quietly(producer, timeout_s)
                return
            threading.Thread(
                target=_close_quietly, args=(producer, timeout_s), name="kafka-producer-close", daemon=True
            ).start()

    # -- consuming

    def consumer(self, group: str, topics: Sequence[str]) -> KafkaGroupConsumer:
        self.ensure_topics(topics)
        return KafkaGroupConsumer(self.servers, self.options, self.names, group, topics)

    def read(
        self, topics: Sequence[str], *, since: datetime | None = None, limit: int | None = None
    ) -> Iterator[Record]:
        return read_records(self.servers, self.options, self.names, topics, since=since, limit=limit)

    def reset_group(self, group: str, topics: Sequence[str], *, to: datetime | None = None) -> None:
        self.ensure_topics(topics)
        target: OffsetSpec | OffsetTimestamp = (
            OffsetSpec.EARLIEST if to is None else OffsetTimestamp(int(to.timestamp() * 1000))
        )
        with self._lock:
            admin = self._admin_client()
            self._refuse_live_members(admin, group)
            described = admin.describe_topics([self.names.topic(t) for t in topics])
            specs = {
                tp: target
                for t in described
                for tp in self.names.partitions(t["name"], (p["partition_index"] for p in t["partitions"]))
            }
            # A time after the last record resolves to the end: the group then waits for new records.
            result = admin.reset_group_offsets(self.names.group(group), specs)
        errors = {str(tp): r["error"].__name__ for tp, r in result.items() if r["error"].errno != 0}
        if errors:
            raise RuntimeError(
                f"kafka {self.bootstrap}: cannot reset group {group} (stop its members first): {errors}"
            )

    def group_offsets(self, group: str, topics: Sequence[str]) -> GroupOffsets:
        self.ensure_topics(topics)
        with self._lock:
            admin = self._admin_client()
            described = admin.describe_topics([self.names.topic(t) for t in topics])
            tps = [
                tp
                for t in described
                for tp in self.names.partitions(t["name"], (p["partition_index"] for p in t["partitions"]))
            ]
            ends = admin.list_partition_offsets({tp: OffsetSpec.LATEST for tp in tps})
            committed = admin.list_group_offsets({self.names.group(group): tps})[self.names.group(group)]
        found: GroupOffsets = {}
        for tp in tps:
            mark = committed.get(tp)
            done = mark.offset if mark is not None and mark.offset >= 0 else None
            found[(self.names.logical(tp.topic), tp.partition)] = (done, ends[tp].offset)
        return found

    def _refuse_live_members(self, admin: KafkaAdminClient, group: str) -> None:
        members = admin.describe_groups([self.names.group(group)])[self.names.group(group)]["members"]
        if members:
            where = ", ".join(sorted({f"{m['client_host'].lstrip('/')}" for m in members}))
            raise GroupBusy(
                f"consumer group {group} has {len(members)} live member(s) (on {where}): stop them "
                f"(Ctrl-C or SIGTERM; they leave the group at once), rewind, then start them again"
            )

    def close(self) -> None:
        with self._lock:
            self._drop_producer(wait=True)
            admin, self._admin = self._admin, None
        if admin is not None:
            admin.close()
