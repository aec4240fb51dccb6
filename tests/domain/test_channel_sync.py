"""The channel-sync consumer group on a real store: stock events for 1,000 SKUs arrive shuffled within
and across partitions, with duplicates, applied through the group's handler with its dedupe claims, as
the group runner applies a polled batch. What it records to tell each channel is checked after every
batch; a held SKU, its release by an operator, and what `hub inventory show` says of it."""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.clock import utcnow
from hub.commerce.channel_sync import GROUP, apply_event, release_sku
from hub.events import Event
from hub.store import Store
from hub.store.channel_sync import ChannelSync
from tests.contract.stacks import sqlite_store
from tests.domain.stock_streams import POLICY, StockEvent, deliver, history, random_changes, truth
from tests.support.hubproc import HubCli

TRACE = "00-" + "a" * 32 + "-" + "b" * 16 + "-01"


def envelope(e: StockEvent) -> Event:
    data = dict(e.data)
    if e.type == "InventoryAdjusted":
        data.update(reason="snapshot", delta=0, version=e.version)
    else:
        data.update(reservation_id="r", change="reserved", quantity=1, version=e.version)
    return Event(
        id=f"00000000-0000-5000-8000-{e.version:04d}{abs(hash(e.sku)) % 10**8:08d}",
        source="/connectors/test",
        type=e.type,
        subject=e.sku,
        time=datetime.fromisoformat(e.data["occurred_at"]),
        dataschema=f"urn:hub:event:{e.type}:v1",
        partitionkey=e.sku,
        sequence=e.version,
        correlationid="c",
        causationid="c",
        traceparent=TRACE,
        data=data,
    )


def apply_batch(store: Store, events: list[Event]) -> None:
    """What GroupRunner does with a polled batch: claim, apply the fresh ones, commit together."""
    with store.unit_of_work() as uow:
        fresh = uow.applied.claim(GROUP, [e.id for e in events], utcnow())
        for event in events:
            if event.id in fresh:
                fresh.discard(event.id)
                apply_event(uow, POLICY, event, utcnow())
        uow.commit()


def told(store: Store, skus: Iterable[str]) -> list[tuple[str, str, int, int]]:
    with store.read_only() as uow:
        return [(r.sku, r.channel, r.quantity, r.version) for r in uow.get(ChannelSync).of_skus(skus)]


@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**63), duplicates=st.sampled_from([0.05, 0.3]))
def test_1000_skus_shuffled_and_duplicated(tmp_path_factory: object, seed: int, duplicates: float) -> None:
    rng = random.Random(seed)
    events = [e for i in range(1000) for e in history(f"SKU-{i:04d}", random_changes(rng, 6))]
    expected = truth(events)
    last = {e.sku: e.version for e in events}
    store = sqlite_store(Path(tmp_path_factory.mktemp("sync")))  # type: ignore[attr-defined]
    try:
        delivered = [envelope(e) for e in deliver(events, rng, duplicates)]
        newest: dict[str, int] = {}
        for start in range(0, len(delivered), 100):
            batch = delivered[start : start + 100]
            apply_batch(store, batch)
            for e in batch:
                newest[e.partitionkey] = max(newest.get(e.partitionkey, 0), e.sequence)
            with store.read_only() as uow:
                views = uow.get(ChannelSync).views(newest)
            for sku, channel, quantity, version in told(store, [e.partitionkey for e in batch]):
                # Told only the truth at a version the SKU reached; when nothing is held, the newest one.
                assert quantity == expected[(sku, version)][channel]
                if not views[sku].view.is_held:
                    assert version == newest[sku]
        with store.read_only() as uow:
            views = uow.get(ChannelSync).views(last)
        assert all(not row.view.is_held and row.view.version == last[sku] for sku, row in views.items())
        final = {(sku, channel): q for sku, channel, q, _ in told(store, last)}
        assert final == {(sku, c): q for sku in last for c, q in expected[(sku, last[sku])].items()}
    finally:
        store.dispose()


def test_a_gap_holds_only_its_sku_until_an_operator_releases_it(
    tmp_path: Path, cli: HubCli, home: Path
) -> None:
    store = Store(f"sqlite:///{home}/hub.db")
    store.migrate()
    gapped = history("GAP", [("InventoryAdjusted", "main", n) for n in (9, 7, 5)])
    steady = history("OK", [("InventoryAdjusted", "main", n) for n in (4, 6)])
    apply_batch(store, [envelope(gapped[0]), envelope(gapped[2]), *map(envelope, steady)])
    assert {(s, c): q for s, c, q, _ in told(store, ["GAP", "OK"])} == {
        ("GAP", "walmart"): 9 - 1 - 2,  # version 1 only: version 3 waits for 2
        ("GAP", "tiktok"): 9 - 1,
        ("GAP", "amazon"): 9 - 1 - 1,
        ("OK", "walmart"): 6 - 1 - 2,  # the other SKU flowed
        ("OK", "tiktok"): 6 - 1,
        ("OK", "amazon"): 6 - 1 - 1,
    }
    store.dispose()
    env_project = tmp_path / "project"
    env_project.mkdir()
    (env_project / "inventory.yaml").write_text(json.dumps(POLICY.model_dump(mode="json")))
    shown = json.loads(cli.run("inventory", "show", "GAP", "--json", HUB_PROJECT=str(env_project)).stdout)
    assert shown["sync"]["version"] == 1 and shown["sync"]["held"] == [3] and shown["sync"]["held_since"]
    text = cli.run("inventory", "show", "GAP", HUB_PROJECT=str(env_project)).stdout
    assert "HELD" in text

    released = cli.run("inventory", "release", "GAP", HUB_PROJECT=str(env_project)).stdout
    assert "applied versions [3]" in released
    store = Store(f"sqlite:///{home}/hub.db")
    assert {(s, c): q for s, c, q, _ in told(store, ["GAP"])}[("GAP", "tiktok")] == 5 - 1
    late = envelope(gapped[1])  # version 2 arrives after all: it moves nothing newer
    apply_batch(store, [late])
    assert {(s, c): q for s, c, q, _ in told(store, ["GAP"])}[("GAP", "tiktok")] == 5 - 1
    store.dispose()


def test_release_of_a_sku_that_is_not_held_changes_nothing(tmp_path: Path) -> None:
    store = sqlite_store(tmp_path)
    assert release_sku(store, POLICY, "NOPE") == ()
    store.dispose()
