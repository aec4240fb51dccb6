"""A mapping bug quarantines payloads; after the fix, the re-normalize backfill over their days turns them
into events, and running it again mints nothing twice."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest
from sqlalchemy import select

from hub.intake.service import IntakeService
from hub.project import Project
from hub.store import Store
from hub.store.tables import inbox, outbox, quarantine
from tests.dagster.conftest import scratch_project
from tests.support.dated import day
from tests.support.quarantined import tiktok_status_change

pytestmark = pytest.mark.dagster

MAPPING = "mappings/tiktok/order_status_change.yaml"
GOOD = "order_id: {type: string, from: $.data.order_id, required: true}"
BROKEN = "order_id: {type: string, from: $.data.orderId, required: true}"  # the bug: a misspelt field


def outbox_ids(store: Store) -> list[str]:
    with store.transaction() as conn:
        return [r[0] for r in conn.execute(select(outbox.c.event_id))]


def open_quarantine(store: Store) -> list[str]:
    with store.transaction() as conn:
        query = select(inbox.c.dedupe_key).join(quarantine, quarantine.c.inbox_id == inbox.c.id)
        return [r[0] for r in conn.execute(query.where(quarantine.c.resolved_at.is_(None)))]


def test_renormalize_backfill_after_a_mapping_fix(
    defs: dg.Definitions, instance: dg.DagsterInstance, store: Store, tmp_path: Path, monkeypatch
) -> None:
    project = scratch_project(tmp_path / "project")
    mapping = project / MAPPING
    mapping.write_text(mapping.read_text().replace(GOOD, BROKEN))
    monkeypatch.setenv("HUB_PROJECT", str(project))
    deliveries = [tiktok_status_change(f"57640000000001{n:02d}", received_at=day(n % 2)) for n in range(4)]
    late = tiktok_status_change("5764000000000200", received_at=day(3))
    receipts = IntakeService(Project.load(project), store).accept([*deliveries, late])
    assert [r.status for r in receipts] == ["quarantined"] * 5  # type: ignore[union-attr]

    mapping.write_text(mapping.read_text().replace(BROKEN, GOOD))  # the fix
    job = defs.resolve_job_def("renormalize_inbox")
    tags = {
        "dagster/asset_partition_range_start": day(0).date().isoformat(),
        "dagster/asset_partition_range_end": day(1).date().isoformat(),
    }
    result = job.execute_in_process(instance=instance, tags=tags)

    assert result.success
    assert open_quarantine(store) == [late.dedupe_key]  # day 3 is outside the range
    events = outbox_ids(store)
    assert len(events) == 4 and len(set(events)) == 4
    done, _ = result.asset_materializations_for_node("hub__inbox_renormalization")  # one per day, one run
    assert done.metadata["resolved"].value == 4 and done.metadata["events"].value == 4

    monkeypatch.setenv("HUB_RETENTION", "3650d")  # every mapped payload is re-run, not left alone as old
    again = job.execute_in_process(instance=instance, tags=tags)
    second, _ = again.asset_materializations_for_node("hub__inbox_renormalization")
    assert second.metadata["rerun"].value == 4 and second.metadata["events"].value == 0
    assert sorted(outbox_ids(store)) == sorted(events)
