"""Relay membership and shard leases. Every expiry is judged by the database's clock (backend.now_plus),
so relays on machines whose clocks disagree still agree on who holds a shard."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Executable, delete, func, or_, select, update

from hub.store.repository import Repository
from hub.store.tables import relay_leases, relay_members


@dataclass(frozen=True, slots=True)
class Lease:
    shard: int
    owner: str | None
    epoch: int
    expires_at: datetime | None


class Leases(Repository):
    def ensure_shards(self, count: int) -> None:
        """One lease row per shard; idempotent, so every relay can run it at start."""
        stmt = self.backend.insert(relay_leases).values(
            [{"shard": s, "owner": None, "epoch": 0, "expires_at": None} for s in range(count)]
        )
        self.conn.execute(stmt.on_conflict_do_nothing(index_elements=["shard"]))

    def heartbeat(self, owner: str, ttl_s: float, shards: int) -> dict[int, int]:
        """Register `owner` as alive, keep its leases, move it towards its fair share of the shards.

        Returns the shards it holds afterwards with their epochs. The fair share is ceil(shards / live
        relays): a relay above it releases its surplus so a newcomer can take it, a relay below it takes
        free and expired leases. Every grant raises the shard's epoch, the fencing token `confirm` checks.
        """
        now, expiry = self.backend.now_plus(0), self.backend.now_plus(ttl_s)
        stmt = self.backend.insert(relay_members).values(owner=owner, started_at=now, expires_at=expiry)
        self.conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["owner"], set_={"expires_at": stmt.excluded.expires_at}
            )
        )
        self.conn.execute(delete(relay_members).where(relay_members.c.expires_at <= now))
        live = self.conn.execute(select(func.count()).select_from(relay_members)).scalar_one()
        fair_share = math.ceil(shards / max(int(live), 1))

        # Keep what is still ours even when it expired: nobody took it (a grant changes the owner), so
        # nobody else can have published it, and the epoch we fence with stays valid.
        held = self._granted(
            update(relay_leases)
            .where(relay_leases.c.owner == owner)
            .values(expires_at=expiry)
            .returning(relay_leases.c.shard, relay_leases.c.epoch),
        )
        if len(held) > fair_share:
            surplus = sorted(held)[fair_share:]
            self.conn.execute(
                update(relay_leases)
                .where(relay_leases.c.shard.in_(surplus), relay_leases.c.owner == owner)
                .values(owner=None, expires_at=None)
            )
            for shard in surplus:
                del held[shard]
        elif len(held) < fair_share:
            held.update(self._acquire(owner, ttl_s, fair_share - len(held)))
        return held

    def _takeable(self) -> ColumnElement[bool]:
        return or_(relay_leases.c.owner.is_(None), relay_leases.c.expires_at <= self.backend.now_plus(0))

    def _acquire(self, owner: str, ttl_s: float, wanted: int) -> dict[int, int]:
        candidates = (
            select(relay_leases.c.shard).where(self._takeable()).order_by(relay_leases.c.shard).limit(wanted)
        )
        # Two relays taking shards at once each get different ones instead of queueing on the same rows.
        candidates = self.backend.lock(candidates, skip_locked=True)
        return self._granted(
            update(relay_leases)
            # Repeat the test outside the subquery: a row-locking database re-checks it on the locked row.
            .where(relay_leases.c.shard.in_(candidates.scalar_subquery()), self._takeable())
            .values(owner=owner, epoch=relay_leases.c.epoch + 1, expires_at=self.backend.now_plus(ttl_s))
            .returning(relay_leases.c.shard, relay_leases.c.epoch),
        )

    def _granted(self, stmt: Executable) -> dict[int, int]:
        return {int(shard): int(epoch) for shard, epoch in self.conn.execute(stmt).all()}

    def confirm(self, owner: str, grants: Mapping[int, int], shards: Collection[int]) -> bool:
        """True when `owner` still holds every one of `shards` under the epoch it was granted.

        Call it in the unit of work that marks rows published. The lease rows stay share-locked until that
        commit, so a takeover waits for the mark and then never re-reads the marked rows as pending.
        """
        wanted = sorted(set(shards))
        if any(s not in grants for s in wanted):
            return False
        query = select(relay_leases.c.shard, relay_leases.c.epoch).where(
            relay_leases.c.shard.in_(wanted), relay_leases.c.owner == owner
        )
        found = {int(s): int(e) for s, e in self.conn.execute(self.backend.lock(query, shared=True)).all()}
        return all(found.get(s) == grants[s] for s in wanted)

    def release(self, owner: str) -> None:
        """Give every shard back and leave: the remaining relays take over at their next heartbeat."""
        self.conn.execute(
            update(relay_leases).where(relay_leases.c.owner == owner).values(owner=None, expires_at=None)
        )
        self.conn.execute(delete(relay_members).where(relay_members.c.owner == owner))

    def all(self) -> list[Lease]:
        rows = self.conn.execute(select(relay_leases).order_by(relay_leases.c.shard)).mappings().all()
        return [Lease(r["shard"], r["owner"], r["epoch"], r["expires_at"]) for r in rows]

    def live_members(self) -> list[str]:
        query = select(relay_members.c.owner).where(relay_members.c.expires_at > self.backend.now_plus(0))
        return sorted(self.conn.execute(query.order_by(relay_members.c.owner)).scalars())
