"""On PostgreSQL ids are handed out at insert and become visible at commit, so a lower id can commit
after a higher one. The relay selects on published_at IS NULL, never on an id watermark, so it still
publishes the late row."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.broker.port import Broker
from hub.relay import Relay
from hub.relay.leases import LeaseKeeper
from hub.store import Store
from hub.store.tables import outbox
from tests.contract.feed import commit_in, key_of, logged
from tests.contract.stacks import embedded_broker


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    broker = embedded_broker(tmp_path)
    yield broker
    broker.close()


def test_a_lower_id_committed_after_a_higher_one_is_still_published(store: Store, broker: Broker) -> None:
    relay = Relay(store, broker, leases=LeaseKeeper(store))
    with store.unit_of_work() as slow:
        commit_in(slow, ["slow"])
        with store.unit_of_work() as fast:
            commit_in(fast, ["fast"])
            fast.commit()
        assert relay.drain() == 1  # only the committed row is visible yet
        assert [e.partitionkey for e in logged(broker)] == [key_of("fast")]
        slow.commit()
    assert relay.drain() == 1
    assert sorted(e.partitionkey for e in logged(broker)) == [key_of("fast"), key_of("slow")]

    with store.transaction() as conn:
        ids = dict(conn.execute(select(outbox.c.partition_key, outbox.c.id)).all())
        unpublished = conn.execute(select(outbox.c.id).where(outbox.c.published_at.is_(None))).all()
    assert ids[key_of("slow")] < ids[key_of("fast")]  # it really committed out of id order
    assert unpublished == []
