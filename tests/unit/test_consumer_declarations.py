"""Declared consumer groups: `hub lint` points at the file and line of each mistake in `consumers/*.yaml`
with the known values; the built-in groups are declarations too; a sink's missing secret stops the group
before it starts, naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.consumers.declared import SHIPPED, load_declared
from hub.consumers.discovery import groups
from hub.credentials import MissingSecret
from hub.formats import format_schema
from tests.support.hubproc import HubCli, hub_env
from tests.support.sink import project_with_groups

GOOD = """\
type: consumer_group
name: fulfillment
owner: warehouse-team
topics: [orders]
events: [OrderPlaced, OrderCancelled]
sink: {type: http, url: "https://wms.example.com/hooks", secret: {env: WMS_SIGNING_SECRET}}
"""


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_every_mistake_in_a_declaration_is_located_with_the_known_values(tmp_path: Path, home: Path) -> None:
    broken = (
        GOOD.replace("name: fulfillment", "name: fulfilment")
        .replace("topics: [orders]", "topics: [orders, stock]")
        .replace("OrderCancelled]", "OrderCancelled, InventoryAdjusted]")
        .replace("owner: warehouse-team", "owner: warehouse-team\nordering: by_key")
    )
    python = "type: consumer_group\nname: crm\nowner: crm\ntopics: [orders]\nsink:\n  type: python\n"
    python += "  handler: hub.consumers.builtin:audit_everything\n"
    project = project_with_groups(tmp_path, fulfillment=broken, crm=python)
    result = HubCli(hub_env(home, project)).run("lint", check=False)
    assert result.returncode == 1
    out = result.stdout
    file = project / "consumers" / "fulfillment.yaml"
    known_topics = "(known: checkout, inventory, listings, orders)"
    assert f"{file}:{line_of(file, 'stock')}: topics[1]: 'stock' is not a known value {known_topics}" in out
    assert (
        f"{file}:{line_of(file, 'by_key')}: ordering: 'by_key' is not a known value (known: per_key, none)"
        in out
    )
    crm = project / "consumers" / "crm.yaml"
    assert f"{crm}:{line_of(crm, 'handler')}: sink.handler: hub.consumers.builtin has no function " in out
    assert "(known: audit, channel_sync, order_state)" in out

    fixed = broken.replace("topics: [orders, stock]", "topics: [orders]").replace("ordering: by_key\n", "")
    (project / "consumers" / "fulfillment.yaml").write_text(fixed)
    (project / "consumers" / "crm.yaml").unlink()
    out = HubCli(hub_env(home, project)).run("lint", check=False).stdout
    assert f"{file}:{line_of(file, 'name:')}: name: 'fulfilment' is not the file's name 'fulfillment'" in out
    assert (
        f"{file}:{line_of(file, 'events:')}: events[2]: InventoryAdjusted is published to topic inventory"
        in out
    )


def test_the_built_in_groups_are_declarations_and_a_project_adds_its_own(tmp_path: Path) -> None:
    assert sorted(p.name for p in SHIPPED.glob("*.yaml")) == [
        "audit.yaml",
        "channel-sync.yaml",
        "order-view.yaml",
    ]
    project = project_with_groups(tmp_path, fulfillment=GOOD)
    found = groups(project, environ={"WMS_SIGNING_SECRET": "s3cret-value"})
    assert list(found) == ["audit", "channel-sync", "fulfillment", "order-view"]
    fulfillment = found["fulfillment"]
    assert (fulfillment.owner, fulfillment.ordering, fulfillment.transactional) == (
        "warehouse-team",
        "per_key",
        False,
    )
    assert fulfillment.event_types == {"OrderPlaced", "OrderCancelled"}
    assert fulfillment.wants("OrderPlaced") and not fulfillment.wants("OrderPaid")
    assert found["audit"].sink == "python hub.consumers.builtin:audit" and found["audit"].transactional

    specs, issues = load_declared(project, {})
    assert issues == []
    with pytest.raises(MissingSecret, match="WMS_SIGNING_SECRET"):
        specs["fulfillment"].prepare()


def test_the_format_schema_enumerates_topics_and_event_types() -> None:
    schema = format_schema("consumer")
    assert schema["$defs"]["HttpSink"]["properties"]["timeout_s"]["default"] == 10.0
    topics = schema["properties"]["topics"]["items"]
    assert topics["enum"] == ["checkout", "inventory", "listings", "orders"]
