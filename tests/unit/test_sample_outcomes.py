"""Every real payload kept beside a connector maps through `hub map CONNECTOR FILE`, with no flags, to the
outcome its samples/README.md states; a list response gives one set of order events per order."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from tests.support.hubproc import HubCli
from tests.support.paths import REPO

ROW = re.compile(r"^\| `([^`]+)` \| (.+?) \|$")


def stated_outcomes(connector: str) -> dict[str, str]:
    text = (REPO / "connectors" / connector / "samples" / "README.md").read_text()
    table = text.split("## What `hub map` makes of each file", 1)[1]
    return {m[1]: m[2] for line in table.splitlines() if (m := ROW.match(line))}


CONNECTORS = ("amazon", "walmart", "tiktok")


def events_of(stdout: str) -> list[dict[str, object]]:
    """`hub map` prints each event as an indented JSON object; the other lines are reasons."""
    return [json.loads(block) for block in re.findall(r"^\{\n.*?^\}$", stdout, re.M | re.S)]


@pytest.mark.parametrize("connector", CONNECTORS)
def test_each_sample_maps_to_the_outcome_its_readme_states(connector: str, cli: HubCli) -> None:
    """One `hub map` run over every sample file of the connector (each file after a `# FILE` line)."""
    folder = REPO / "connectors" / connector / "samples"
    files = sorted(folder.glob("*.json"))
    stated = stated_outcomes(connector)
    assert sorted(stated) == [f.name for f in files], "samples/README.md states an outcome for each file"
    out = cli.run("map", connector, *map(str, files), check=False).stdout
    sections = dict(re.findall(r"^# (.+?)\n(.*?)(?=^# |\Z)", out, re.M | re.S))
    problems = []
    for file in files:
        text, outcome = sections[str(file)], stated[file.name]
        events = events_of(text)
        if re.fullmatch(r"\d+ events: .+", outcome):
            got = f"{len(events)} events: {', '.join(dict.fromkeys(str(e['type']) for e in events))}"
            if got != outcome or "quarantined:" in text:
                problems.append(f"{file.name}: {got} (stated: {outcome})")
        elif events or outcome not in text:
            problems.append(f"{file.name}: {text.strip()[:200]!r} (stated: {outcome})")
    assert problems == []


def test_a_list_response_gives_one_set_of_order_events_per_order(cli: HubCli) -> None:
    page = REPO / "connectors" / "walmart" / "samples" / "orders-getAllOrders-response.json"
    orders = json.loads(page.read_text())["list"]["elements"]["order"]
    events = events_of(cli.run("map", "walmart", str(page)).stdout)
    placed = Counter(e["key"] for e in events if e["type"] == "OrderPlaced")
    assert placed == Counter(f"walmart:{o['purchaseOrderId']}" for o in orders)
    assert len(orders) == 10
    # Every event of an order carries that order's lines and total, whatever its status.
    for event in events:
        data = event["data"]
        assert isinstance(data, dict)
        order = next(o for o in orders if f"walmart:{o['purchaseOrderId']}" == event["key"])
        assert len(data["order_lines"]) == len(order["orderLines"]["orderLine"])
        assert data["total"]["currency"] == "USD"


def test_two_orders_of_one_search_page_keep_apart(tmp_path: Path, cli: HubCli) -> None:
    """TikTok's Get Order List answer with a second order (the first one's copy under another id, now
    IN_TRANSIT): each order gets its own events, and no event id is shared."""
    page = json.loads(
        (REPO / "connectors/tiktok/samples/order-searchOrders-202309-response.json").read_text()
    )
    second = json.loads(json.dumps(page["data"]["orders"][0]))
    second["id"], second["status"] = "576461413038785799", "IN_TRANSIT"
    page["data"]["orders"].append(second)
    file = tmp_path / "page.json"
    file.write_text(json.dumps(page))
    events = events_of(cli.run("map", "tiktok", str(file)).stdout)
    keys = Counter(e["key"] for e in events if e["type"] == "OrderPlaced")
    assert keys == Counter({f"tiktok:{page['data']['orders'][0]['id']}": 1, "tiktok:576461413038785799": 1})
    assert {e["type"] for e in events if e["key"] == "tiktok:576461413038785799"} >= {
        "OrderPlaced",
        "OrderShipped",
    }


def test_a_file_of_no_known_shape_is_quarantined_naming_the_shapes_tried(tmp_path: Path, cli: HubCli) -> None:
    file = tmp_path / "odd.json"
    file.write_text('{"hello": "world"}')
    result = cli.run("map", "walmart", str(file), check=False)
    assert result.returncode == 1
    assert (
        "quarantined: matches no known shape (tried: webhook, orders_page, order, mx_orders_page"
        in result.stdout
    )


def test_route_and_pick_still_override_the_shape(cli: HubCli) -> None:
    page = REPO / "connectors" / "walmart" / "samples" / "orders-getAllOrders-response.json"
    out = cli.run(
        "map", "walmart", str(page), "--pick", "$.list.elements.order[1]", "--route", "order"
    ).stdout
    picked = json.loads(page.read_text())["list"]["elements"]["order"][1]["purchaseOrderId"]
    assert {e["key"] for e in events_of(out)} == {f"walmart:{picked}"}


@pytest.mark.parametrize("connector", CONNECTORS)
def test_every_mapped_catalog_entry_has_golden_cases_from_its_samples(connector: str, cli: HubCli) -> None:
    """`hub catalog` fails on an entry with neither route nor ignore, or a routed one without golden cases."""
    result = cli.run("catalog", connector, check=False)
    assert result.returncode == 0, result.stdout
    assert re.search(r"\d+ entries: \d+ mapped, \d+ ignored, 0 neither", result.stdout)
