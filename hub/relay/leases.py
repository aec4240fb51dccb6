"""One relay's share of the outbox shards: heartbeats, the grants it holds, and fencing before a mark.

A shard is published by at most one relay at a time, so the rows of one key (one shard) leave in the
order the relay reads them. Holding a lease is judged twice: by the database (expiry by its clock, a
new epoch on every grant) and, more cautiously, by this process, which stops starting batches once it
has not renewed for `valid_fraction` of the lease time, measured on its own monotonic clock.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Collection, Mapping

from hub.store import Store, UnitOfWork
from hub.store.outbox import SHARDS

log = logging.getLogger(__name__)


def new_owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class LeaseKeeper:
    def __init__(
        self,
        store: Store,
        *,
        ttl_s: float = 10.0,
        owner: str | None = None,
        shards: int = SHARDS,
        valid_fraction: float = 0.75,
    ) -> None:
        self.store = store
        self.ttl_s = ttl_s
        self.owner = owner or new_owner_id()
        self.shards = shards
        self.heartbeat_s = ttl_s / 4
        self._valid_s = ttl_s * valid_fraction
        self._grants: dict[int, int] = {}
        self._renewed_at = float("-inf")
        self._started = False

    def maintain(self, *, force: bool = False) -> None:
        """Heartbeat when one is due (or `force`): renew, release surplus, take a fair share."""
        if not force and self.due_in() > 0:
            return
        began = time.monotonic()  # before the transaction: the database's expiry is later than ours
        with self.store.unit_of_work() as uow:
            if not self._started:
                uow.leases.ensure_shards(self.shards)
            grants = uow.leases.heartbeat(self.owner, self.ttl_s, self.shards)
            uow.commit()
        self._started = True
        if grants.keys() != self._grants.keys():
            log.info("relay %s now holds %d of %d shards", self.owner, len(grants), self.shards)
        self._grants, self._renewed_at = grants, began

    def due_in(self) -> float:
        return max(0.0, self._renewed_at + self.heartbeat_s - time.monotonic())

    def held(self) -> dict[int, int]:
        """The shards this relay may start a batch on (shard -> epoch); none once renewal is overdue."""
        if time.monotonic() - self._renewed_at > self._valid_s:
            return {}
        return dict(self._grants)

    def confirm(
        self, uow: UnitOfWork, shards: Collection[int], epochs: Mapping[int, int] | None = None
    ) -> bool:
        """Fencing, inside the mark's transaction: False if any of `shards` was granted to another relay
        since we read its rows. Then forget our grants, so the next batch waits for a fresh heartbeat.

        `epochs` are the grants the rows were read under. A pipelined relay heartbeats between reading
        a batch and marking it; checking against the grants of then (not our latest) also fails a shard
        that was lost and granted back to us meanwhile."""
        if uow.leases.confirm(self.owner, self._grants if epochs is None else epochs, shards):
            return True
        log.warning("relay %s lost a shard lease; a takeover will publish those rows again", self.owner)
        self._grants, self._renewed_at = {}, float("-inf")
        return False

    def release(self) -> None:
        """Hand every shard back now, so the other relays need not wait for our leases to expire."""
        if not self._started:
            return
        with self.store.unit_of_work() as uow:
            uow.leases.release(self.owner)
            uow.commit()
        self._grants, self._renewed_at, self._started = {}, float("-inf"), False
