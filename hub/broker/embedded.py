"""The embedded log: Kafka's model (topics, keyed partitions, offsets, consumer groups) in one SQLite file."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path

from hub.broker.embedded_headers import decode_headers, encode_headers
from hub.broker.port import GroupOffsets, Message, PublishError, Record, partition_for

_SCHEMA = """
CREATE TABLE IF NOT EXISTS topics(name TEXT PRIMARY KEY, partitions INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS partitions(
    topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL,
    PRIMARY KEY(topic, partition)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS records(
    topic TEXT NOT NULL, partition INTEGER NOT NULL, offset INTEGER NOT NULL,
    key BLOB, value BLOB NOT NULL, headers BLOB NOT NULL, timestamp_ms INTEGER NOT NULL,
    PRIMARY KEY(topic, partition, offset)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS records_by_time ON records(topic, partition, timestamp_ms);
CREATE TABLE IF NOT EXISTS group_offsets(
    group_name TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL,
    PRIMARY KEY(group_name, topic, partition)) WITHOUT ROWID;
"""

# Consumers in the same process wake on publish; consumers in other processes poll.
_WAKEUPS: dict[str, threading.Condition] = defaultdict(threading.Condition)
_CROSS_PROCESS_POLL_S = 0.05


class EmbeddedLog:
    system = "hub_embedded_log"

    def __init__(self, path: Path | str, partitions: int = 4) -> None:
        # Nothing touches the file until first use, as with Kafka: a log that cannot be opened fails
        # the publish (PublishError, which the relay retries) rather than the constructor.
        self.path = Path(path)
        self.default_partitions = partitions
        self._local = threading.local()
        self._wakeup = _WAKEUPS[str(self.path.resolve())]
        self._schema_ready = False

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA busy_timeout=30000")
            if not self._schema_ready:
                conn.executescript(_SCHEMA)
                self._schema_ready = True
            self._local.conn = conn
        return conn

    # -- topics

    def ensure_topics(self, topics: Sequence[str]) -> None:
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            self._ensure(conn, topics)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _ensure(self, conn: sqlite3.Connection, topics: Sequence[str]) -> dict[str, int]:
        counts = {}
        for topic in set(topics):
            conn.execute("INSERT OR IGNORE INTO topics VALUES (?, ?)", (topic, self.default_partitions))
            (n,) = conn.execute("SELECT partitions FROM topics WHERE name = ?", (topic,)).fetchone()
            conn.executemany(
                "INSERT OR IGNORE INTO partitions VALUES (?, ?, 0)", [(topic, p) for p in range(n)]
            )
            counts[topic] = n
        return counts

    def partitions_of(self, topic: str) -> int:
        row = self._conn().execute("SELECT partitions FROM topics WHERE name = ?", (topic,)).fetchone()
        return int(row[0]) if row else 0

    # -- producing

    def publish(self, messages: Sequence[Message]) -> None:
        if not messages:
            return
        try:
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE")
            try:
                counts = self._ensure(conn, [m.topic for m in messages])
                next_offsets: dict[tuple[str, int], int] = {}
                rows = []
                for m in messages:
                    tp = (m.topic, partition_for(m.key, counts[m.topic]))
                    if tp not in next_offsets:
                        (next_offsets[tp],) = conn.execute(
                            "SELECT next_offset FROM partitions WHERE topic = ? AND partition = ?", tp
                        ).fetchone()
                    offset = next_offsets[tp]
                    next_offsets[tp] = offset + 1
                    rows.append((*tp, offset, m.key, m.value, encode_headers(m.headers), m.timestamp_ms))
                conn.executemany("INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
                conn.executemany(
                    "UPDATE partitions SET next_offset = ? WHERE topic = ? AND partition = ?",
                    [(o, t, p) for (t, p), o in next_offsets.items()],
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        except (sqlite3.Error, OSError) as exc:
            raise PublishError(f"embedded log {self.path}: {exc}") from exc
        with self._wakeup:
            self._wakeup.notify_all()

    # -- consuming

    def consumer(self, group: str, topics: Sequence[str]) -> EmbeddedConsumer:
        self.ensure_topics(topics)
        return EmbeddedConsumer(self, group, topics)

    def fetch(self, topic: str, partition: int, offset: int, limit: int) -> list[Record]:
        rows = self._conn().execute(
            "SELECT offset, key, value, headers, timestamp_ms FROM records "
            "WHERE topic = ? AND partition = ? AND offset >= ? ORDER BY offset LIMIT ?",
            (topic, partition, offset, limit),
        )
        return [Record(topic, partition, o, k, v, decode_headers(h), ts) for o, k, v, h, ts in rows]

    def end_offsets(self, topics: Sequence[str]) -> dict[tuple[str, int], int]:
        marks = ",".join("?" * len(topics))
        rows = self._conn().execute(
            f"SELECT topic, partition, next_offset FROM partitions WHERE topic IN ({marks})", tuple(topics)
        )
        return {(t, p): o for t, p, o in rows}

    def offset_for_time(self, topic: str, partition: int, at: datetime) -> int:
        ms = int(at.timestamp() * 1000)
        row = (
            self._conn()
            .execute(
                "SELECT min(offset) FROM records WHERE topic = ? AND partition = ? AND timestamp_ms >= ?",
                (topic, partition, ms),
            )
            .fetchone()
        )
        if row[0] is not None:
            return int(row[0])
        return self.end_offsets([topic]).get((topic, partition), 0)

    def committed(self, group: str) -> dict[tuple[str, int], int]:
        rows = self._conn().execute(
            "SELECT topic, partition, next_offset FROM group_offsets WHERE group_name = ?", (group,)
        )
        return {(t, p): o for t, p, o in rows}

    def commit(self, group: str, offsets: dict[tuple[str, int], int]) -> None:
        if not offsets:
            return
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany(
                "INSERT INTO group_offsets VALUES (?, ?, ?, ?) ON CONFLICT(group_name, topic, partition) "
                "DO UPDATE SET next_offset = excluded.next_offset",
                [(group, t, p, o) for (t, p), o in offsets.items()],
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def wait(self, timeout_s: float) -> None:
        with self._wakeup:
            self._wakeup.wait(min(timeout_s, _CROSS_PROCESS_POLL_S))

    def read(
        self, topics: Sequence[str], *, since: datetime | None = None, limit: int | None = None
    ) -> Iterator[Record]:
        marks = ",".join("?" * len(topics))
        sql = (
            "SELECT topic, partition, offset, key, value, headers, timestamp_ms FROM records "
            f"WHERE topic IN ({marks})"
        )
        params: list[object] = list(topics)
        if since is not None:
            sql += " AND timestamp_ms >= ?"
            params.append(int(since.timestamp() * 1000))
        sql += " ORDER BY timestamp_ms, topic, partition, offset"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        for t, p, o, k, v, h, ts in self._conn().execute(sql, params):
            yield Record(t, p, o, k, v, decode_headers(h), ts)

    def reset_group(self, group: str, topics: Sequence[str], *, to: datetime | None = None) -> None:
        self.ensure_topics(topics)
        offsets = {
            (t, p): (0 if to is None else self.offset_for_time(t, p, to))
            for (t, p) in self.end_offsets(topics)
        }
        self.commit(group, offsets)

    def group_offsets(self, group: str, topics: Sequence[str]) -> GroupOffsets:
        committed = self.committed(group)
        return {tp: (committed.get(tp), end) for tp, end in sorted(self.end_offsets(topics).items())}

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


class EmbeddedConsumer:
    """The only member of its group: the embedded log has no rebalancing, it reads every partition."""

    def __init__(self, log: EmbeddedLog, group: str, topics: Sequence[str]) -> None:
        self.log = log
        self.group = group
        self.topics = list(topics)
        committed = log.committed(group)
        self.positions = {tp: committed.get(tp, 0) for tp in log.end_offsets(self.topics)}

    def poll(self, max_records: int, timeout_s: float, *, join_grace: bool = True) -> list[Record]:
        deadline = time.monotonic() + timeout_s
        while True:
            records = self._fetch(max_records)
            remaining = deadline - time.monotonic()
            if records or remaining <= 0:
                return records
            self.log.wait(remaining)

    def _fetch(self, max_records: int) -> list[Record]:
        ends = self.log.end_offsets(self.topics)
        records: list[Record] = []
        for tp, end in sorted(ends.items()):
            position = self.positions.setdefault(tp, 0)
            if end <= position or len(records) >= max_records:
                continue
            batch = self.log.fetch(tp[0], tp[1], position, max_records - len(records))
            if batch:
                self.positions[tp] = batch[-1].offset + 1
                records.extend(batch)
        return records

    def commit(self, records: Sequence[Record]) -> None:
        offsets: dict[tuple[str, int], int] = {}
        for r in records:
            offsets[(r.topic, r.partition)] = max(offsets.get((r.topic, r.partition), 0), r.offset + 1)
        self.log.commit(self.group, offsets)

    def seek_to_records(self, records: Sequence[Record]) -> None:
        for r in records:
            tp = (r.topic, r.partition)
            self.positions[tp] = min(self.positions.get(tp, r.offset), r.offset)

    def close(self) -> None:
        pass
