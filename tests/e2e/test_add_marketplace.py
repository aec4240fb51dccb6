"""A marketplace the repository has never seen, added without Python: the files of the README's
"Add a marketplace" section, written into an empty project folder, run by the real hub over HTTP."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import shutil
from pathlib import Path
from typing import Any

import httpx

from hub.events.catalog import EVENT_TYPES
from tests.support.hubproc import HubCli, HubServer, hub_env, wait_for
from tests.support.paths import REPO

SECRET = "kestrel-test-secret-7f3a"
# "`path/to/file`:" on its own line, then a fenced block: a file of the walk-through.
_FILE = re.compile(r"^`([^`]+)`:\n\n```(?:yaml|json)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def walkthrough_files() -> dict[str, str]:
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Add a marketplace", 1)[1].split("\n## ", 1)[0]
    return {path: text for path, text in _FILE.findall(section)}


def write_project(root: Path) -> Path:
    for path, text in walkthrough_files().items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return root


def signed(body: bytes, secret: str = SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return {"X-Kestrel-Signature": base64.b64encode(digest).decode(), "content-type": "application/json"}


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_the_readme_walkthrough_gives_a_working_marketplace(tmp_path: Path, home: Path) -> None:
    assert sorted(walkthrough_files()) == [
        "connectors/kestrel/connector.yaml",
        "connectors/kestrel/samples/order-new.json",
        "mappings/kestrel/order_updated.yaml",
        "mappings/kestrel/tests/order_updated.yaml",
    ]
    project = write_project(tmp_path / "project")
    env = hub_env(home, project, KESTREL_WEBHOOK_SECRET=SECRET)
    cli = HubCli(env)

    assert cli.run("lint").stdout.strip() == "1 connector(s), 1 mapping(s): no problems"
    cli.run("test", "--update", "kestrel")
    tested = cli.run("test").stdout
    assert "ok   kestrel/order_updated::unknown_status_is_quarantined" in tested
    assert tested.strip().endswith("3 passed, 0 failed")

    body = (project / "connectors/kestrel/samples/order-new.json").read_bytes()
    with HubServer(env) as server:
        url = f"{server.url}/webhooks/kestrel"
        refused = httpx.post(url, content=body, headers=signed(body, "not-the-secret"), timeout=10)
        assert refused.status_code == 401
        response = httpx.post(url, content=body, headers=signed(body), timeout=10)
        assert response.status_code == 200, response.text
        assert response.json() == {"status": "accepted", "inbox_id": 1, "events": 3}

        def published() -> list[dict[str, Any]]:
            out = cli.run("events", "--json").stdout
            found = [json.loads(line) for line in out.splitlines() if line.strip()]
            return found if len(found) == 3 else []

        logged = sorted(wait_for(published, message="three events"), key=lambda e: e["type"])

    placed = next(e for e in logged if e["type"] == "OrderPlaced")
    assert placed["partitionkey"] == "kestrel:K-100234"
    assert placed["data"]["occurred_at"] == "2026-03-14T08:26:53+00:00"  # UTC, from +01:00
    assert placed["data"]["total"] == {"amount": "59.90", "currency": "EUR"}
    assert [
        (line["line_id"], line["sku"], line["quantity"], line["unit_price"])
        for line in placed["data"]["lines"]
    ] == [
        ("1", "MUG-BLUE", 2, {"amount": "14.95", "currency": "EUR"}),
        ("2", "TEAPOT-1L", 1, {"amount": "30.00", "currency": "EUR"}),
    ]
    stock = {e["data"]["sku"]: (e["data"]["on_hand"], e["data"]["location"]) for e in logged[:2]}
    assert [e["type"] for e in logged[:2]] == ["InventoryAdjusted", "InventoryAdjusted"]
    assert stock == {"MUG-BLUE": (38, "kestrel"), "TEAPOT-1L": (7, "kestrel")}


def test_lint_points_at_the_wrong_lines_of_that_yaml_with_the_known_values(
    tmp_path: Path, home: Path
) -> None:
    project = write_project(tmp_path / "project")
    broken = tmp_path / "broken"
    shutil.copytree(project, broken)
    mapping = broken / "mappings/kestrel/order_updated.yaml"
    mapping.write_text(mapping.read_text().replace("paid: OrderPaid", "paid: OrderPayed"))
    connector = broken / "connectors/kestrel/connector.yaml"
    connector.write_text(connector.read_text().replace("encoding: base64", "encoding: base-64"))

    result = HubCli(hub_env(home, broken, KESTREL_WEBHOOK_SECRET=SECRET)).run("lint", check=False)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{connector}:{line_of(connector, 'base-64')}: intake[0].signature.encoding: "
        "'base-64' is not a known value (known: hex, base64)",
        f"{mapping}:{line_of(mapping, 'OrderPayed')}: emit[0].event.cases.paid: "
        f"'OrderPayed' is not a known value (known: {', '.join(EVENT_TYPES)})",
    ]
    assert "2 problem(s)" in result.stderr
