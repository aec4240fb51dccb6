"""Reading from Kafka: a consumer-group member with caller-driven commits, and group-less reads."""

from __future__ import annotations

import heapq
import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kafka import KafkaConsumer
from kafka.errors import CommitFailedError, RebalanceInProgressError
from kafka.structs import OffsetAndMetadata, TopicPartition

from hub.broker.kafka_options import KafkaOptions
from hub.broker.port import Record

log = logging.getLogger(__name__)

# A first poll joins the group and looks up committed offsets before it can fetch anything; "nothing
# to read" is only believed once that is done, or after this long.
_JOIN_GRACE_S = 30.0


@dataclass(frozen=True)
class Names:
    """The topic prefix namespaces topics and group ids on a shared cluster."""

    prefix: str

    def topic(self, logical: str) -> str:
        return self.prefix + logical

    def group(self, logical: str) -> str:
        return self.prefix + logical

    def logical(self, topic: str) -> str:
        return topic.removeprefix(self.prefix)

    def partitions(self, topic: str, numbers: Iterable[int]) -> list[TopicPartition]:
        return [TopicPartition(topic, p) for p in sorted(numbers)]


def _record(names: Names, raw: Any) -> Record:
    return Record(
        topic=names.logical(raw.topic),
        partition=raw.partition,
        offset=raw.offset,
        key=raw.key if raw.key is not None else b"",
        value=raw.value,
        headers=tuple(raw.headers),  # (name, value) pairs already
        timestamp_ms=raw.timestamp,
    )


def _consumer_config(servers: list[str], options: KafkaOptions) -> dict[str, Any]:
    return {
        "bootstrap_servers": servers,
        "request_timeout_ms": options.request_timeout_ms,
        "bootstrap_timeout_ms": options.api_timeout_ms,
        "reconnect_backoff_max_ms": options.reconnect_backoff_max_ms,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        # Topics are created by ensure_topics with the configured partition count, never by a read.
        "allow_auto_create_topics": False,
    }


class KafkaGroupConsumer:
    """One member of a classic consumer group. Kafka assigns the partitions; offsets move only in
    commit(), which the caller calls after its effects are durable."""

    def __init__(
        self, servers: list[str], options: KafkaOptions, names: Names, group: str, topics: Sequence[str]
    ) -> None:
        self.names = names
        self.group = group
        self._consumer = KafkaConsumer(
            **_consumer_config(servers, options),
            group_id=names.group(group),
            session_timeout_ms=options.session_timeout_ms,
            heartbeat_interval_ms=options.heartbeat_ms,
            max_poll_interval_ms=options.max_poll_interval_ms,
        )
        self._consumer.subscribe([names.topic(t) for t in topics])
        self._joined = False
        # Offsets a rebalance kept from being committed, tried once more on close for the partitions this
        # member still holds (`hub consume --once` would otherwise leave them behind for the next run).
        self._uncommitted: dict[TopicPartition, OffsetAndMetadata] = {}

    def poll(self, max_records: int, timeout_s: float, *, join_grace: bool = True) -> list[Record]:
        started = time.monotonic()
        deadline = started + timeout_s
        while True:
            wait_ms = max(int((deadline - time.monotonic()) * 1000), 0)
            batches = self._consumer.poll(timeout_ms=wait_ms or 50, max_records=max_records)
            records = [_record(self.names, raw) for batch in batches.values() for raw in batch]
            if records:
                return records
            now = time.monotonic()
            if now >= deadline and (
                not join_grace or self._caught_up() or now >= started + timeout_s + _JOIN_GRACE_S
            ):
                return []

    def _caught_up(self) -> bool:
        """True when this member holds partitions and has read each to its end, so an empty poll
        means "nothing new" rather than "the group join or first fetch is still under way"."""
        assigned = self._consumer.assignment()
        if not assigned:
            return self._joined  # a member with no partitions (more members than partitions) is done
        self._joined = True
        ends = self._consumer.end_offsets(list(assigned))
        return all(self._consumer.position(tp) >= end for tp, end in ends.items())

    def commit(self, records: Sequence[Record]) -> None:
        offsets: dict[TopicPartition, int] = {}
        for r in records:
            tp = TopicPartition(self.names.topic(r.topic), r.partition)
            offsets[tp] = max(offsets.get(tp, 0), r.offset + 1)
        assigned = self._consumer.assignment()
        owned = {tp: OffsetAndMetadata(o, "", -1) for tp, o in offsets.items() if tp in assigned}
        if not owned:
            return
        try:
            self._consumer.commit(owned)
        except (CommitFailedError, RebalanceInProgressError) as exc:
            # The group rebalanced after these records were applied. Their partition's next owner reads
            # from the last committed offset, and the group's dedupe skips what is already applied.
            log.info("group %s: offsets not committed, the group is rebalancing (%s)", self.group, exc)
            self._uncommitted.update(owned)
            return
        for tp in owned:
            self._uncommitted.pop(tp, None)

    def seek_to_records(self, records: Sequence[Record]) -> None:
        first: dict[TopicPartition, int] = {}
        for r in records:
            tp = TopicPartition(self.names.topic(r.topic), r.partition)
            first[tp] = min(first.get(tp, r.offset), r.offset)
        assigned = self._consumer.assignment()
        for tp, offset in first.items():
            # A partition lost in a rebalance is re-read from its committed offset by its new owner.
            if tp in assigned:
                self._consumer.seek(tp, offset)

    def close(self) -> None:
        held = self._consumer.assignment()
        pending = {tp: o for tp, o in self._uncommitted.items() if tp in held}
        if pending:
            try:
                self._consumer.commit(pending)
            except Exception as exc:  # the next run re-reads them; the group's dedupe skips them
                log.info("group %s: offsets still not committed on close (%s)", self.group, exc)
        # Leaves the group at once, so its partitions move to the other members without waiting for
        # the session to time out.
        self._consumer.close(autocommit=False)


def read_records(
    servers: list[str],
    options: KafkaOptions,
    names: Names,
    topics: Sequence[str],
    *,
    since: datetime | None = None,
    limit: int | None = None,
) -> Iterator[Record]:
    """Every record up to the end offsets seen at the start, oldest timestamp first, without a group."""
    consumer = KafkaConsumer(**_consumer_config(servers, options), group_id=None)
    try:
        per_partition = _read_partitions(consumer, names, topics, since, limit)
    finally:
        consumer.close(autocommit=False)
    merged = heapq.merge(*per_partition, key=lambda r: (r.timestamp_ms, r.topic, r.partition, r.offset))
    for count, record in enumerate(merged):
        if limit is not None and count >= limit:
            return
        yield record


def _read_partitions(
    consumer: KafkaConsumer,
    names: Names,
    topics: Sequence[str],
    since: datetime | None,
    limit: int | None,
) -> list[list[Record]]:
    partitions = []
    for topic in topics:
        numbers = consumer.partitions_for_topic(names.topic(topic))
        if numbers:
            partitions.extend(names.partitions(names.topic(topic), numbers))
    if not partitions:
        return []
    consumer.assign(partitions)
    ends = consumer.end_offsets(partitions)
    if since is None:
        starts = consumer.beginning_offsets(partitions)
    else:
        ms = int(since.timestamp() * 1000)
        found = consumer.offsets_for_times({tp: ms for tp in partitions})
        starts = {tp: (hit.offset if hit is not None else ends[tp]) for tp, hit in found.items()}
    # With a limit, no partition can contribute more than `limit` records to the first `limit`.
    stops = {tp: ends[tp] if limit is None else min(ends[tp], starts[tp] + limit) for tp in partitions}
    pending = {tp for tp in partitions if starts[tp] < stops[tp]}
    for tp in partitions:
        consumer.seek(tp, starts[tp])
    collected: dict[TopicPartition, list[Record]] = {tp: [] for tp in partitions}
    while pending:
        for tp, batch in consumer.poll(timeout_ms=1000).items():
            for raw in batch:
                if raw.offset < stops[tp]:
                    collected[tp].append(_record(names, raw))
            if consumer.position(tp) >= stops[tp]:
                pending.discard(tp)
                consumer.pause(tp)
    return list(collected.values())
