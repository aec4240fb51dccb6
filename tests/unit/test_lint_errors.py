"""`hub lint` points at the file and line of each mistake and names the known values."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from tests.support.hubproc import HubCli, hub_env
from tests.support.paths import REPO


def broken_project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    for folder in ("connectors", "mappings"):
        shutil.copytree(REPO / folder, project / folder)
    return project


def lines_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_every_problem_is_reported_at_once_with_line_and_known_values(tmp_path: Path, home: Path) -> None:
    project = broken_project(tmp_path)
    mapping = project / "mappings" / "tiktok" / "order_status_change.yaml"
    mapping.write_text(
        mapping.read_text()
        .replace("UNPAID: OrderPlaced", "UNPAID: OrderPlacd")
        .replace("format: epoch_s", "format: epoch_seconds")
    )
    connector = project / "connectors" / "tiktok" / "connector.yaml"
    connector.write_text(
        connector.read_text().replace("encoding: hex", "encoding: hex\n      algoritm: sha256", 1)
    )

    result = HubCli(hub_env(home, project)).run("lint", check=False)
    assert result.returncode == 1
    out = result.stdout
    line = lines_of(mapping, "OrderPlacd")
    assert f"{mapping}:{line}: emit[0].event.cases.UNPAID: 'OrderPlacd' is not a known value" in out
    assert "(known: OrderPlaced, OrderPaid," in out
    assert f"{mapping}:{lines_of(mapping, 'epoch_seconds')}: emit[0].data.occurred_at.format" in out
    assert "(known: iso8601, epoch_s, epoch_ms)" in out
    assert (
        f"{connector}:{lines_of(connector, 'algoritm')}: intake[0].signature: unknown field 'algoritm'" in out
    )
    assert "3 problem(s)" in result.stderr


def test_yaml_syntax_errors_and_duplicate_keys_are_located(tmp_path: Path, home: Path) -> None:
    project = broken_project(tmp_path)
    connector = project / "connectors" / "tiktok" / "connector.yaml"
    connector.write_text(
        connector.read_text().replace("title: TikTok Shop", "title: TikTok Shop\ntitle: again")
    )
    mapping = project / "mappings" / "tiktok" / "order_status_change.yaml"
    mapping.write_text(mapping.read_text() + "emit: [unclosed\n")

    out = HubCli(hub_env(home, project)).run("lint", check=False).stdout
    assert f"{connector}:{lines_of(connector, 'title: again')}: (document): duplicate key 'title'" in out
    assert f"{mapping}:" in out and "not valid YAML" in out


def test_a_route_to_a_missing_mapping_names_the_existing_ones(tmp_path: Path, home: Path) -> None:
    project = broken_project(tmp_path)
    connector = project / "connectors" / "tiktok" / "connector.yaml"
    connector.write_text(
        connector.read_text().replace("route: order_status_change", "route: order_status_chnage")
    )
    out = HubCli(hub_env(home, project)).run("lint", check=False).stdout
    line = lines_of(connector, "order_status_chnage")
    assert (
        f"{connector}:{line}: catalog[0].route: no mapping file mappings/tiktok/order_status_chnage.yaml"
        in out
    )
    assert "order_status_change" in out.split("known:")[1]


def test_a_catalog_entry_with_neither_route_nor_ignore_is_rejected_at_its_line(
    tmp_path: Path, home: Path
) -> None:
    project = broken_project(tmp_path)
    connector = project / "connectors" / "walmart" / "connector.yaml"
    text = connector.read_text()
    entry = "  - name: BUY_BOX_CHANGED\n    kind: webhook\n"
    assert entry in text
    # Drop the ignore reason of BUY_BOX_CHANGED: the entry says nothing about where it goes.
    start = text.index(entry)
    reason = text.index("    ignore:", start)
    end = text.index("\n", reason) + 1
    connector.write_text(text[:reason] + text[end:])
    result = HubCli(hub_env(home, project)).run("lint", check=False)
    assert result.returncode == 1
    line = lines_of(connector, "name: BUY_BOX_CHANGED")
    catalog = yaml.safe_load(text)["catalog"]
    index = next(n for n, e in enumerate(catalog) if e["name"] == "BUY_BOX_CHANGED")
    assert (
        f"{connector}:{line}: catalog[{index}]: webhook 'BUY_BOX_CHANGED' has neither route nor ignore"
        in result.stdout
    )


def test_the_clean_repository_lints_clean(cli: HubCli) -> None:
    assert "no problems" in cli.run("lint").stdout


def test_lookups_and_includes_name_what_the_connector_has(tmp_path: Path, home: Path) -> None:
    project = broken_project(tmp_path)
    order = project / "mappings" / "amazon" / "orders_v0_order.yaml"
    order.write_text(
        order.read_text()
        .replace(
            "table: marketplaces, from: $.MarketplaceId, field: country",
            "table: markets, from: $.MarketplaceId, field: country",
        )
        .replace(
            "table: marketplaces, from: $.MarketplaceId, field: currency",
            "table: marketplaces, from: $.MarketplaceId, field: curency",
        )
    )
    updates = project / "mappings" / "walmart" / "order_updates.yaml"
    updates.write_text(updates.read_text().replace("mapping: purchase_order", "mapping: purchase_ordr"))

    out = HubCli(hub_env(home, project)).run("lint", check=False).stdout
    assert (
        f"{order}:{lines_of(order, 'table: markets')}: emit[0].data.market.table: 'markets': unknown table "
        "(known: marketplaces)"
    ) in out
    assert (
        f"{order}:{lines_of(order, 'curency')}: emit[0].data.currency.of[1].field: 'curency' is no field"
        in out
    )
    assert "(known: name, country, currency, region)" in out
    assert (
        f"{updates}:{lines_of(updates, 'purchase_ordr')}: emit[0].mapping: "
        "no mapping 'purchase_ordr' to include"
    ) in out
