"""Relay membership and shard leases. Every expiry is judged by the database's clock (dbclock), so relays
on machines whose clocks disagree still agree on who holds a shard."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, Executable, delete, func, or_, select, update

from hub.store.dbclock import now, now_plus
from hub.store.dialect import insert
from hub.store.tables import relay_leases, relay_members


@dataclass(frozen=True, slots=True)
class Lease:
    shard: int
    owner: str | None
    epoch: int
    expires_at: datetime | None


def ensure_shards(conn: Connection, count: int) -> None:
    """One lease row per shard; idempotent, so every relay can run it at start."""
    stmt = insert(conn, relay_leases).values(
        [{"shard": s, "owner": None, "epoch": 0, "expires_at": None} for s in range(count)]
    )
    conn.execute(stmt.on_conflict_do_nothing(index_elements=["shard"]))


def heartbeat(conn: Connection, owner: str, ttl_s: float, shards: int) -> dict[int, int]:
    """Register `owner` as alive, keep its leases, move it towards its fair share of the shards.

    Returns the shards it holds afterwards with their epochs. The fair share is ceil(shards / live
    relays): a relay above it releases its surplus so a newcomer can take it, a relay below it takes
    free and expired leases. Every grant raises the shard's epoch, the fencing token `confirm` checks.
    """
    stmt = insert(conn, relay_members).values(
        owner=owner, started_at=now(conn), expires_at=now_plus(conn, ttl_s)
    )
    conn.execute(
        stmt.on_conflict_do_update(index_elements=["owner"], set_={"expires_at": stmt.excluded.expires_at})
    )
    conn.execute(delete(relay_members).where(relay_members.c.expires_at <= now(conn)))
    live = conn.execute(select(func.count()).select_from(relay_members)).scalar_one()
    fair_share = math.ceil(shards / max(int(live), 1))

    # Keep what is still ours even when it expired: nobody took it (a grant changes the owner), so nobody
    # else can have published it, and the epoch we fence with stays valid.
    held = _granted(
        conn,
        update(relay_leases)
        .where(relay_leases.c.owner == owner)
        .values(expires_at=now_plus(conn, ttl_s))
        .returning(relay_leases.c.shard, relay_leases.c.epoch),
    )
    if len(held) > fair_share:
        surplus = sorted(held)[fair_share:]
        conn.execute(
            update(relay_leases)
            .where(relay_leases.c.shard.in_(surplus), relay_leases.c.owner == owner)
            .values(owner=None, expires_at=None)
        )
        for shard in surplus:
            del held[shard]
    elif len(held) < fair_share:
        held.update(_acquire(conn, owner, ttl_s, fair_share - len(held)))
    return held


def _takeable(conn: Connection) -> ColumnElement[bool]:
    return or_(relay_leases.c.owner.is_(None), relay_leases.c.expires_at <= now(conn))


def _acquire(conn: Connection, owner: str, ttl_s: float, wanted: int) -> dict[int, int]:
    candidates = (
        select(relay_leases.c.shard).where(_takeable(conn)).order_by(relay_leases.c.shard).limit(wanted)
    )
    if conn.dialect.name == "postgresql":
        # Two relays taking shards at once each get different ones instead of queueing on the same rows.
        candidates = candidates.with_for_update(skip_locked=True)
    return _granted(
        conn,
        update(relay_leases)
        # Repeat the test outside the subquery: PostgreSQL re-checks it on the locked row version.
        .where(relay_leases.c.shard.in_(candidates.scalar_subquery()), _takeable(conn))
        .values(owner=owner, epoch=relay_leases.c.epoch + 1, expires_at=now_plus(conn, ttl_s))
        .returning(relay_leases.c.shard, relay_leases.c.epoch),
    )


def _granted(conn: Connection, stmt: Executable) -> dict[int, int]:
    return {int(shard): int(epoch) for shard, epoch in conn.execute(stmt).all()}


def confirm(conn: Connection, owner: str, grants: Mapping[int, int], shards: Collection[int]) -> bool:
    """True when `owner` still holds every one of `shards` under the epoch it was granted.

    Call it in the transaction that marks rows published. On PostgreSQL the lease rows stay share-locked
    until that commit, so a takeover waits for the mark and then never re-reads the marked rows as pending.
    """
    wanted = sorted(set(shards))
    if any(s not in grants for s in wanted):
        return False
    query = select(relay_leases.c.shard, relay_leases.c.epoch).where(
        relay_leases.c.shard.in_(wanted), relay_leases.c.owner == owner
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(read=True)
    found = {int(s): int(e) for s, e in conn.execute(query).all()}
    return all(found.get(s) == grants[s] for s in wanted)


def release(conn: Connection, owner: str) -> None:
    """Give every shard back and leave: the remaining relays take over at their next heartbeat."""
    conn.execute(
        update(relay_leases).where(relay_leases.c.owner == owner).values(owner=None, expires_at=None)
    )
    conn.execute(delete(relay_members).where(relay_members.c.owner == owner))


def leases(conn: Connection) -> list[Lease]:
    rows = conn.execute(select(relay_leases).order_by(relay_leases.c.shard)).mappings().all()
    return [Lease(r["shard"], r["owner"], r["epoch"], r["expires_at"]) for r in rows]


def live_members(conn: Connection) -> list[str]:
    query = select(relay_members.c.owner).where(relay_members.c.expires_at > now(conn))
    return sorted(conn.execute(query.order_by(relay_members.c.owner)).scalars())
