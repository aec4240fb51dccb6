"""The jobs a connector's `streams:` and `actions:` generate, executed in this process against the real
marketplace sandbox (`hub sandbox` on a loopback port): a pull job stores the marketplace's orders as the
hub's events, and an inventory-push job tells the channel what inventory.yaml lets it sell."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import pytest

from hub.clock import utcnow
from hub.commerce.inventory import adjust
from hub.intake.delivery import Delivery
from hub.intake.service import IntakeService
from hub.project import Project
from hub.store import Store
from tests.support.db import rows
from tests.support.paths import REPO, sample
from tests.support.sandbox import SandboxServer

pytestmark = pytest.mark.dagster


def run(defs: dg.Definitions, job: str, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    return defs.resolve_job_def(job).execute_in_process(instance=instance, raise_on_error=False)


def test_a_pull_job_stores_the_marketplace_orders_as_events(
    defs: dg.Definitions, instance: dg.DagsterInstance, store: Store, hub_home: Path, pointed: SandboxServer
) -> None:
    created = set(pointed.seed("walmart", 5, spread_s=3600))

    result = run(defs, "walmart__pull_orders", instance)

    assert result.success
    db = hub_home / "hub.db"
    placed = {
        str(key).split(":", 1)[1]
        for (key,) in rows(db, "SELECT partition_key FROM outbox WHERE event_type = 'OrderPlaced'")
    }
    assert placed == created
    (status, cursor), *_ = rows(db, "SELECT last_status, cursor FROM pull_state WHERE connector='walmart'")
    assert status == "ok" and cursor is not None
    logged = [e.user_message for e in instance.all_logs(result.run_id)]
    assert "walmart.orders: stored 5 new record(s)" in logged  # what the run's log shows in the UI

    again = run(defs, "walmart__pull_orders", instance)  # from the cursor: nothing new
    assert again.success
    assert len(rows(db, "SELECT 1 FROM outbox WHERE event_type = 'OrderPlaced'")) == len(created)


def test_an_inventory_push_job_tells_the_channel_what_it_may_sell(
    defs: dg.Definitions, instance: dg.DagsterInstance, store: Store, pointed: SandboxServer
) -> None:
    project = Project.load(REPO)
    body = sample("amazon", "notification-FBA_INVENTORY_AVAILABILITY_CHANGES.json").read_bytes()
    IntakeService(project, store).accept([Delivery("amazon", body, json.loads(body), "fba-1", utcnow())])
    with store.read_only() as uow:
        fba = set(uow.ledger.skus())
    assert fba, "the FBA notification should have set a level (Amazon's own stock, never offered)"
    adjust(store, project.inventory, "PUSH-1", "main", on_hand=10, reason="receipt")
    adjust(store, project.inventory, "PUSH-2", "main", on_hand=3, reason="receipt")

    result = run(defs, "walmart__push_inventory", instance)

    assert result.success
    pushed = {
        p["sku"]: p["body"]["quantity"]["amount"]
        for p in pointed.pushed()
        if p["operation"] == "updateInventoryForAnItem"
    }
    # On hand at main less Walmart's buffer of 1 (inventory.yaml); Amazon's own FBA stock is offered nowhere.
    assert pushed == {"PUSH-1": 9, "PUSH-2": 2, **{sku: 0 for sku in fba}}

    again = run(defs, "walmart__push_inventory", instance)  # told already: nothing to send
    assert again.success
    assert len([p for p in pointed.pushed() if p["operation"] == "updateInventoryForAnItem"]) == len(pushed)
