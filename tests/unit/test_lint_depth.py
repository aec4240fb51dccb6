"""`hub lint` checks mappings against the marketplace's schema and golden tests against the event
schemas. Each test breaks a copy of the repository's mappings (or a small project) and expects lint to
name the file, the line of the mistake and the known values."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from hub.formats import Issue
from hub.lint import lint
from tests.support.paths import REPO


def copy_of_repo(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    for folder in ("connectors", "mappings"):
        shutil.copytree(REPO / folder, project / folder)
    return project


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def line_of(path: Path, text: str, after: str | None = None) -> int:
    lines = path.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines[start:], start + 1) if text in line)


def issues_in(project: Path, file: Path) -> list[Issue]:
    return [i for i in lint(project)[1] if i.file == file]


def test_the_repository_lints_clean() -> None:
    assert lint(REPO)[1] == []


def test_a_path_the_schema_lacks_is_reported_at_its_line_with_the_closest_names(tmp_path: Path) -> None:
    project = copy_of_repo(tmp_path)
    order = project / "mappings" / "walmart" / "order.yaml"
    edit(order, 'sku: "@line.item.sku"', 'sku: "@line.itme.sku"')
    edit(order, "customer_order_id: $.customerOrderId", "customer_order_id: $.customerOrderID")

    found = {i.line: i for i in issues_in(project, order)}
    named = found[line_of(order, "@line.itme.sku")]
    assert named.path.endswith("lines.item.fields.sku")
    # The named item `line` is an order line: the miss is placed inside it, not at the payload root.
    assert (
        "'itme' names no property at $.orderLines.orderLine[*] of schemas/orders-getAllOrders"
        in named.message
    )
    assert named.known == ("item",)
    root = found[line_of(order, "$.customerOrderID")]
    assert root.path == "emit[0].data.customer_order_id"
    assert root.known[0] == "customerOrderId"
    assert len(found) == 2


def test_an_item_name_no_enclosing_as_binds_is_reported(tmp_path: Path) -> None:
    project = copy_of_repo(tmp_path)
    order = project / "mappings" / "walmart" / "order.yaml"
    edit(order, 'tracking_url: "@.trackingInfo.trackingURL"', 'tracking_url: "@lin.trackingInfo.trackingURL"')
    (issue,) = issues_in(project, order)
    assert issue.line == line_of(order, "@lin.trackingInfo")
    assert issue.message == (
        "@lin.trackingInfo.trackingURL: no enclosing foreach or list names an item @lin (as: lin)"
    )


def test_an_enum_table_must_map_every_value_the_schema_enumerates(tmp_path: Path) -> None:
    project = copy_of_repo(tmp_path)
    order = project / "mappings" / "walmart" / "order.yaml"
    edit(order, "            Refund: null", "            # Refund left out")
    (issue,) = issues_in(project, order)
    # The table's line: its `values:` key, under the `from` it reads.
    assert issue.line == line_of(order, "values:", after='from: "@.status"')
    assert issue.known == ("Refund",)
    assert issue.message.startswith(
        "@.status ($.orderLines.orderLine[*].orderLineStatuses.orderLineStatus[*].status): "
    )
    assert "enumerates value(s) this enum table does not map" in issue.message


def test_a_golden_event_that_breaks_its_event_schema_is_reported(tmp_path: Path) -> None:
    project = copy_of_repo(tmp_path)
    golden = project / "mappings" / "walmart" / "tests" / "inventory_oos.yaml"
    edit(golden, "reason: snapshot", "reason: stocktake")
    edit(golden, "sku: PORA-L500-Light-Stone-L", "sku: 42")
    found = issues_in(project, golden)
    assert [i.line for i in found] == [line_of(golden, "reason: stocktake"), line_of(golden, "sku: 42")]
    reason, sku = found
    assert reason.path == "cases[0].expect.events[0].data.reason"
    assert "snapshot" in reason.known and "restock" in reason.known
    assert "42 is not of type 'string'" in sku.message


def test_every_mapping_needs_golden_tests_and_every_golden_file_a_mapping(tmp_path: Path) -> None:
    project = copy_of_repo(tmp_path)
    tests = project / "mappings" / "walmart" / "tests"
    (tests / "po_created.yaml").rename(tests / "po_create.yaml")
    issues = lint(project)[1]
    mapping = project / "mappings" / "walmart" / "po_created.yaml"
    assert (
        Issue(mapping, 1, "", "no golden tests: add cases to mappings/walmart/tests/po_created.yaml")
        in issues
    )
    orphan = next(i for i in issues if i.file == tests / "po_create.yaml")
    assert (
        "po_created" in orphan.known
        and "mappings/walmart/po_create.yaml, which does not exist" in orphan.message
    )


SCHEMA = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {"items": {"type": "array", "items": {"$ref": "#/definitions/Item"}}},
    "definitions": {
        "Item": {
            "allOf": [
                {"$ref": "#/definitions/Base"},
                {"properties": {"status": {"type": "string", "enum": ["LIVE", "HIDDEN", "BANNED"]}}},
            ]
        },
        "Base": {"properties": {"id": {"type": "string"}, "meta": {"type": "object"}}},
    },
}


def small_project(tmp_path: Path, mapping: str) -> tuple[Path, Path]:
    """A connector with one schema-checked mapping of one item (the schema reached through $ref/allOf)."""
    root = tmp_path / "small"
    (root / "connectors" / "shop" / "schemas").mkdir(parents=True)
    (root / "mappings" / "shop" / "tests").mkdir(parents=True)
    (root / "connectors" / "shop" / "schemas" / "page.json").write_text(json.dumps(SCHEMA))
    (root / "connectors" / "shop" / "connector.yaml").write_text(
        "type: connector\nname: shop\ntitle: Shop\n"
        "routing: {type: field, from: $.kind, routes: {item: item}}\n"
    )
    (root / "mappings" / "shop" / "tests" / "item.yaml").write_text(
        "cases:\n- name: unknown\n  input: {payload: {status: GONE}}\n  expect: {quarantine: GONE}\n"
    )
    file = root / "mappings" / "shop" / "item.yaml"
    file.write_text(mapping)
    return root, file


ITEM = """type: mapping
input:
  schema: schemas/page.json#/properties/items/items
  lenient: [{lenient}]
emit:
  - type: event
    event:
      type: switch
      from: $.status
      cases: {{LIVE: ListingStatusChanged}}
      ignore: {{HIDDEN: not for sale}}
    data:
      channel: shop
      listing_id: $.id
      status: active
      channel_status: $.meta.anything
      occurred_at: $.when
"""


def test_refs_and_allof_are_followed_and_a_lenient_enum_is_not_held_against_a_table(tmp_path: Path) -> None:
    root, file = small_project(tmp_path, ITEM.format(lenient=""))
    found = issues_in(root, file)
    assert [(i.line, i.known) for i in found] == [
        (line_of(file, "cases:"), ("BANNED",)),  # the switch misses one value of the schema's enum
        (line_of(file, "occurred_at: $.when"), ("id", "meta", "status")),  # `meta` is open: not reported
    ]
    lenient_root, lenient_file = small_project(
        tmp_path / "lenient", ITEM.format(lenient="/definitions/Item/allOf/1")
    )
    assert [i.line for i in issues_in(lenient_root, lenient_file)] == [line_of(lenient_file, "$.when")]
