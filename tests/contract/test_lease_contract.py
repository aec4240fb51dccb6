"""Shard leases behave the same on SQLite and PostgreSQL: fair shares, hand-over, expiry by the database's
clock, and fencing of a relay whose shard was taken over."""

from __future__ import annotations

import time

from hub.relay.leases import LeaseKeeper
from hub.store import Store
from hub.store.outbox import SHARDS
from tests.contract.stacks import PostgresStack, SqliteStack


def keeper(store: Store, name: str, ttl_s: float = 30.0) -> LeaseKeeper:
    return LeaseKeeper(store, ttl_s=ttl_s, owner=name)


def beat(*keepers: LeaseKeeper) -> None:
    for k in keepers:
        k.maintain(force=True)


def owners(store: Store) -> dict[str | None, int]:
    with store.read_only() as uow:
        counts: dict[str | None, int] = {}
        for lease in uow.leases.all():
            counts[lease.owner] = counts.get(lease.owner, 0) + 1
        return counts


class LeaseContract:
    def test_a_lone_relay_holds_every_shard(self, store: Store) -> None:
        a = keeper(store, "a")
        beat(a)
        assert sorted(a.held()) == list(range(SHARDS))
        assert set(a.held().values()) == {1}  # the first grant of each shard

    def test_relays_converge_on_fair_disjoint_shares(self, store: Store) -> None:
        a, b, c = keeper(store, "a"), keeper(store, "b"), keeper(store, "c")
        beat(a, b)
        assert (len(a.held()), len(b.held())) == (64, 0)  # b registered after a took everything
        beat(a, b)
        assert (len(a.held()), len(b.held())) == (32, 32)  # a released its surplus, b took it
        beat(c, a, b, c)
        shares = [set(k.held()) for k in (a, b, c)]
        assert sorted(len(s) for s in shares) == [20, 22, 22]  # ceil(64 / 3) at most
        assert set().union(*shares) == set(range(SHARDS))
        assert sum(len(s) for s in shares) == SHARDS  # disjoint
        assert owners(store) == {"a": 22, "b": 22, "c": 20}

    def test_a_stopped_relay_hands_its_shards_over_at_once(self, store: Store) -> None:
        a, b = keeper(store, "a"), keeper(store, "b")
        beat(a, b, a, b)
        a.release()
        assert a.held() == {}
        beat(b)
        assert len(b.held()) == SHARDS
        with store.read_only() as uow:
            assert uow.leases.live_members() == ["b"]

    def test_expired_leases_are_taken_over_with_a_new_epoch_and_the_old_holder_is_fenced(
        self, store: Store
    ) -> None:
        dead, alive = keeper(store, "dead", ttl_s=1.0), keeper(store, "alive", ttl_s=30.0)
        beat(dead)
        old = dead.held()
        beat(alive)
        assert alive.held() == {}  # dead's leases have not expired yet
        time.sleep(1.3)
        assert dead.held() == {}  # its own clock already stopped it from starting batches
        beat(alive)
        taken = alive.held()
        assert sorted(taken) == list(range(SHARDS))
        assert all(taken[s] == old[s] + 1 for s in taken)
        with store.unit_of_work() as uow:
            assert not dead.confirm(uow, [0, 1])  # it may not mark what it published under the old epoch
            assert alive.confirm(uow, [0, 1])
            assert uow.leases.live_members() == ["alive"]

    def test_a_late_heartbeat_keeps_shards_nobody_took(self, store: Store) -> None:
        a = keeper(store, "a", ttl_s=0.4)
        beat(a)
        grants = a.held()
        time.sleep(0.6)  # expired by the database's clock, but no other relay wanted them
        beat(a)
        assert a.held() == grants  # same epochs: batches read before still confirm
        with store.unit_of_work() as uow:
            assert a.confirm(uow, list(grants))


class TestSqliteLeases(SqliteStack, LeaseContract):
    pass


class TestPostgresLeases(PostgresStack, LeaseContract):
    pass
