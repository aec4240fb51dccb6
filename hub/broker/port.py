"""What the relay, the consumers and `hub events` need from a log broker."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple, Protocol, overload

import orjson

Headers = Sequence[tuple[str, bytes]]  # pairs, or JsonHeaders


class JsonHeaders(Sequence[tuple[str, bytes]]):
    """Headers as the outbox keeps them, JSON text `[[name, value], ...]` with text values, read as
    (name, UTF-8 bytes) pairs. Parsed on first use only: a broker that stores headers as bytes (the
    embedded log) keeps the text as it is, which saved a third of its relay's CPU."""

    __slots__ = ("_pairs", "json")

    def __init__(self, json: str) -> None:
        self.json = json
        self._pairs: list[tuple[str, bytes]] | None = None

    def texts(self) -> list[list[str]]:
        """The [name, value] pairs with text values, as stored: what a reader of CloudEvents attributes
        wants, without encoding each value only to decode it again."""
        texts: list[list[str]] = orjson.loads(self.json)
        return texts

    def pairs(self) -> list[tuple[str, bytes]]:
        if self._pairs is None:
            self._pairs = [(name, value.encode()) for name, value in orjson.loads(self.json)]
        return self._pairs

    @overload
    def __getitem__(self, index: int) -> tuple[str, bytes]: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[tuple[str, bytes]]: ...

    def __getitem__(self, index: int | slice) -> tuple[str, bytes] | Sequence[tuple[str, bytes]]:
        return self.pairs()[index]

    def __len__(self) -> int:
        return len(self.pairs())

    def __iter__(self) -> Iterator[tuple[str, bytes]]:
        return iter(self.pairs())

    def __repr__(self) -> str:
        return f"JsonHeaders({self.json!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str | bytes):
            return tuple(self.pairs()) == tuple(tuple(pair) for pair in other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self.pairs()))


class Message(NamedTuple):
    """One message to publish. A NamedTuple: built in C, half a frozen dataclass's cost per message."""

    topic: str
    key: bytes
    value: bytes
    headers: Sequence[tuple[str, bytes]]  # pairs, or JsonHeaders
    timestamp_ms: int


@dataclass(frozen=True, slots=True)
class Record:
    topic: str
    partition: int
    offset: int
    key: bytes
    value: bytes
    headers: Headers
    timestamp_ms: int


class GroupBusy(RuntimeError):
    """A group's offsets cannot move while members of it are running."""


class PublishError(RuntimeError):
    """The broker did not accept every message of a batch; none of it may be marked published."""


@functools.lru_cache(maxsize=1 << 16)  # keys recur (every event of an order); murmur2 is pure Python
def partition_for(key: bytes, partitions: int) -> int:
    """Kafka's default partitioner, so a key lands on the same partition number on either broker."""
    # Imported here: importing kafka-python costs ~200 ms, which every short CLI verb would pay.
    from kafka.partitioner.default import murmur2

    return int(murmur2(key) & 0x7FFFFFFF) % partitions


class Consumer(Protocol):
    """A member of a consumer group. Offsets are committed only when the caller says so."""

    def poll(self, max_records: int, timeout_s: float, *, join_grace: bool = True) -> list[Record]:
        """Records after the member's position. With `join_grace` an empty answer means "read to the end":
        a member still joining its group keeps polling past `timeout_s` for a while. Without it the answer
        comes within `timeout_s`, so a caller that loops can check whether to stop."""

    def commit(self, records: Sequence[Record]) -> None:
        """Commit, per partition, the offset after the last of `records`."""

    def seek_to_records(self, records: Sequence[Record]) -> None:
        """Rewind each partition to the first of `records`, so they are delivered again."""

    def close(self) -> None: ...


# Per (topic, partition): the group's committed next offset (None: nothing committed yet) and the end.
GroupOffsets = dict[tuple[str, int], tuple[int | None, int]]


class Broker(Protocol):
    system: str  # the messaging.system of OpenTelemetry's conventions: "kafka", or the embedded log's

    def ensure_topics(self, topics: Sequence[str]) -> None: ...

    def publish(self, messages: Sequence[Message]) -> None:
        """Return only once the broker durably holds every message; raise PublishError otherwise.
        Messages of one key keep their order."""

    def consumer(self, group: str, topics: Sequence[str]) -> Consumer:
        """A group member; a group with no committed offsets starts at the earliest record."""

    def read(
        self, topics: Sequence[str], *, since: datetime | None = None, limit: int | None = None
    ) -> Iterator[Record]:
        """Records without a group: from the beginning, or from the first record at or after `since`."""

    def reset_group(self, group: str, topics: Sequence[str], *, to: datetime | None = None) -> None:
        """Move a group's committed offsets to the start, or to the first record at or after `to`.
        GroupBusy when the broker knows of live members (they would overwrite the offsets)."""

    def group_offsets(self, group: str, topics: Sequence[str]) -> GroupOffsets:
        """Where a group stands on each partition of `topics`, for `hub groups`, `hub status`, metrics."""

    def close(self) -> None: ...
