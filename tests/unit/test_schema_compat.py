"""`hub schemas check`: compatible changes pass, incompatible ones fail, against the committed files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from hub.events.compat import breaking_changes
from hub.events.schemas import SCHEMA_DIR
from tests.support.hubproc import HubCli

BASE = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "status": {"enum": ["a", "b"]},
        "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
    },
    "required": ["id", "status"],
}


def changed(**edits: object) -> dict[str, object]:
    schema = json.loads(json.dumps(BASE))
    for path, value in edits.items():
        *parents, leaf = path.split("__")
        target = schema
        for p in parents:
            target = target[p]
        if value is None:
            del target[leaf]
        else:
            target[leaf] = value
    return schema


def test_compatible_changes() -> None:
    assert breaking_changes(BASE, BASE) == []
    assert breaking_changes(BASE, changed(properties__extra={"type": "integer"})) == []
    assert breaking_changes(BASE, changed(properties__status={"enum": ["a", "b", "c"]})) == []


def test_incompatible_changes_are_named() -> None:
    assert breaking_changes(BASE, changed(properties__note=None)) == ["$.note: field removed"]
    assert breaking_changes(BASE, changed(required=["id", "status", "note"])) == [
        "$.note: changed from optional to required"
    ]
    assert breaking_changes(BASE, changed(properties__id={"type": "integer"})) == [
        "$.id: type changed from string to integer"
    ]
    assert breaking_changes(BASE, changed(properties__status={"enum": ["a"]})) == [
        "$.status: enum value(s) removed: ['b']"
    ]
    assert breaking_changes(BASE, changed(properties__note={"type": "string"})) == [
        "$.note: type changed from null or string to string"
    ]
    added_required = changed(properties__extra={"type": "string"}, required=["id", "status", "extra"])
    assert breaking_changes(BASE, added_required) == ["$.extra: new field is required (old events lack it)"]


def test_hub_schemas_check_fails_on_an_incompatible_change(tmp_path: Path, cli: HubCli) -> None:
    committed = tmp_path / "events"
    shutil.copytree(SCHEMA_DIR, committed)
    assert cli.run("schemas", "check", "--dir", str(committed)).returncode == 0

    # The committed OrderPlaced had a required field the code no longer produces: a consumer relying
    # on it would break, so the check must fail and say why.
    path = committed / "OrderPlaced.v1.json"
    schema = json.loads(path.read_text())
    schema["properties"]["marketplace_region"] = {"type": "string"}
    schema["required"].append("marketplace_region")
    path.write_text(json.dumps(schema, indent=2))
    result = cli.run("schemas", "check", "--dir", str(committed), check=False)
    assert result.returncode == 1
    assert "BREAKING OrderPlaced.v1.json: $.marketplace_region: field removed" in result.stdout
    assert "raise VERSION" in result.stderr


def test_hub_schemas_check_flags_a_compatible_change_left_unexported(tmp_path: Path, cli: HubCli) -> None:
    committed = tmp_path / "events"
    shutil.copytree(SCHEMA_DIR, committed)
    path = committed / "OrderPaid.v1.json"
    schema = json.loads(path.read_text())
    del schema["properties"]["paid_at"]  # as if the code had just added this optional field
    path.write_text(json.dumps(schema, indent=2))
    result = cli.run("schemas", "check", "--dir", str(committed), check=False)
    assert result.returncode == 1
    assert "stale    OrderPaid.v1.json: compatible change not exported" in result.stdout


def test_hub_schemas_check_flags_a_stale_format_schema(tmp_path: Path, cli: HubCli) -> None:
    formats = tmp_path / "formats"
    shutil.copytree(SCHEMA_DIR.parent, formats, ignore=shutil.ignore_patterns("events"))
    args = ("schemas", "check", "--format-dir", str(formats))
    assert cli.run(*args).returncode == 0
    stale = json.loads((formats / "mapping.schema.json").read_text())
    del stale["$defs"]["MoneyExpr"]["properties"]["per"]  # as if the `per` option were added after export
    (formats / "mapping.schema.json").write_text(json.dumps(stale))
    result = cli.run(*args, check=False)
    assert result.returncode == 1
    assert "mapping.schema.json: format changed: run `hub schemas export`" in result.stdout
