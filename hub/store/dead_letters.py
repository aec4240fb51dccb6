"""Dead letters, parked keys and what people did with them.

A dead letter is a record a consumer group gave up on (its error, its attempts, the record whole). In a
group ordered per key its key parks: the key's later records are kept here too (status parked), in the
order they came, until a redrive applies them and releases the key.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from hub.broker.embedded_headers import decode_headers, encode_headers
from hub.broker.port import Record
from hub.store.repository import Repository
from hub.store.tables import dead_letter_audit, dead_letters, parked_keys

OPEN = ("dead", "parked")


@dataclass(frozen=True, slots=True)
class DeadLetter:
    id: int
    group_name: str
    event_id: str
    event_type: str | None
    partition_key: str
    topic: str
    log_partition: int
    log_offset: int
    headers: bytes
    payload: bytes
    status: str
    error: str | None
    attempts: int
    failed_at: datetime
    last_attempt_at: datetime
    resolved_at: datetime | None

    def record(self) -> Record:
        """The record as the log held it."""
        return Record(
            self.topic,
            self.log_partition,
            self.log_offset,
            self.partition_key.encode(),
            self.payload,
            decode_headers(self.headers),
            int(self.failed_at.timestamp() * 1000),
        )


@dataclass(frozen=True, slots=True)
class Letter:
    """A record to keep: as a dead letter (with its error) or parked behind one."""

    record: Record
    event_id: str
    event_type: str | None
    key: str
    status: str  # dead | parked
    error: str | None = None
    attempts: int = 0


@dataclass(frozen=True, slots=True)
class ParkedKey:
    group_name: str
    partition_key: str
    reason: str
    parked_at: datetime


class DeadLetters(Repository):
    # -- writing what a group gave up on

    def add(self, group: str, letters: Sequence[Letter], at: datetime) -> None:
        """Keep the records; one already kept for this group (a redelivery after a crash) stays as it is."""
        if not letters:
            return
        stmt = self.backend.insert(dead_letters).on_conflict_do_nothing(
            index_elements=["group_name", "event_id"]
        )
        self.conn.execute(
            stmt,
            [
                {
                    "group_name": group,
                    "event_id": letter.event_id,
                    "event_type": letter.event_type,
                    "partition_key": letter.key,
                    "topic": letter.record.topic,
                    "log_partition": letter.record.partition,
                    "log_offset": letter.record.offset,
                    "headers": encode_headers(letter.record.headers),
                    "payload": letter.record.value,
                    "status": letter.status,
                    "error": letter.error,
                    "attempts": letter.attempts,
                    "failed_at": at,
                    "last_attempt_at": at,
                }
                for letter in letters
            ],
        )

    def park(self, group: str, key: str, reason: str, at: datetime) -> None:
        """Hold the key's later records back until a redrive releases it (a key parked already stays)."""
        stmt = self.backend.insert(parked_keys).on_conflict_do_nothing(
            index_elements=["group_name", "partition_key"]
        )
        self.conn.execute(
            stmt, [{"group_name": group, "partition_key": key, "reason": reason, "parked_at": at}]
        )

    def parked_among(self, group: str, keys: Collection[str], *, shared_lock: bool = True) -> set[str]:
        """Which of `keys` are parked. Read under a shared lock: a redrive releasing one of them waits for
        this transaction, or this one for the redrive, so no record slips between its read and release.
        `shared_lock=False` in a read-only unit of work (PostgreSQL refuses a lock there), for a caller that
        writes in a later transaction anyway: a group calling outside."""
        found: set[str] = set()
        unique = list(set(keys))
        for start in range(0, len(unique), 500):
            query = select(parked_keys.c.partition_key).where(
                parked_keys.c.group_name == group,
                parked_keys.c.partition_key.in_(unique[start : start + 500]),
            )
            found.update(
                self.conn.execute(self.backend.lock(query, shared=True) if shared_lock else query).scalars()
            )
        return found

    def lock_parked(self, group: str, key: str) -> ParkedKey | None:
        query = select(parked_keys).where(
            parked_keys.c.group_name == group, parked_keys.c.partition_key == key
        )
        row = self.conn.execute(self.backend.lock(query)).mappings().first()
        return ParkedKey(**row) if row else None

    def release(self, group: str, key: str) -> None:
        self.conn.execute(
            delete(parked_keys).where(parked_keys.c.group_name == group, parked_keys.c.partition_key == key)
        )

    # -- reading

    def get(self, letter_id: int) -> DeadLetter | None:
        row = self.conn.execute(select(dead_letters).where(dead_letters.c.id == letter_id)).mappings().first()
        return DeadLetter(**row) if row else None

    def queue(self, group: str, key: str) -> list[DeadLetter]:
        """The key's open records in this group, in the order they came."""
        query = (
            select(dead_letters)
            .where(
                dead_letters.c.group_name == group,
                dead_letters.c.partition_key == key,
                dead_letters.c.status.in_(OPEN),
            )
            .order_by(dead_letters.c.id)
        )
        return [DeadLetter(**r) for r in self.conn.execute(query).mappings()]

    def open_letters(
        self, group: str | None = None, *, dead_only: bool = False, limit: int | None = None
    ) -> list[DeadLetter]:
        query = (
            select(dead_letters)
            .where(dead_letters.c.status.in_(("dead",) if dead_only else OPEN))
            .order_by(dead_letters.c.id)
        )
        if group is not None:
            query = query.where(dead_letters.c.group_name == group)
        if limit is not None:
            query = query.limit(limit)
        return [DeadLetter(**r) for r in self.conn.execute(query).mappings()]

    def parked(self, group: str | None = None) -> list[ParkedKey]:
        query = select(parked_keys).order_by(parked_keys.c.group_name, parked_keys.c.parked_at)
        if group is not None:
            query = query.where(parked_keys.c.group_name == group)
        return [ParkedKey(**r) for r in self.conn.execute(query).mappings()]

    def dead_counts(self) -> dict[str, int]:
        """Dead letters (parked records aside) per group."""
        query = (
            select(dead_letters.c.group_name, func.count())
            .where(dead_letters.c.status == "dead")
            .group_by(dead_letters.c.group_name)
        )
        return {group: int(n) for group, n in self.conn.execute(query)}

    def parked_counts(self) -> dict[str, int]:
        query = select(parked_keys.c.group_name, func.count()).group_by(parked_keys.c.group_name)
        return {group: int(n) for group, n in self.conn.execute(query)}

    # -- what people do with them

    def resolve(self, letter_id: int, status: str, at: datetime) -> None:
        self.conn.execute(
            update(dead_letters).where(dead_letters.c.id == letter_id).values(status=status, resolved_at=at)
        )

    def failed_again(self, letter_id: int, error: str, at: datetime) -> None:
        """A redrive that failed: the record becomes (or stays) a dead letter, with the new error."""
        self.conn.execute(
            update(dead_letters)
            .where(dead_letters.c.id == letter_id)
            .values(status="dead", error=error, attempts=dead_letters.c.attempts + 1, last_attempt_at=at)
        )

    def note(self, letter_id: int, action: str, reason: str | None, actor: str, at: datetime) -> None:
        self.conn.execute(
            insert(dead_letter_audit).values(
                dead_letter_id=letter_id, action=action, reason=reason, actor=actor, at=at
            )
        )

    def trail(self, letter_id: int) -> list[dict[str, Any]]:
        query = (
            select(
                dead_letter_audit.c.action,
                dead_letter_audit.c.reason,
                dead_letter_audit.c.actor,
                dead_letter_audit.c.at,
            )
            .where(dead_letter_audit.c.dead_letter_id == letter_id)
            .order_by(dead_letter_audit.c.id)
        )
        return [{str(k): v for k, v in r.items()} for r in self.conn.execute(query).mappings()]
