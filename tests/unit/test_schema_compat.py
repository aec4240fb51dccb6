"""The schema gate: BACKWARD_TRANSITIVE over every committed version of an event (a reader of the new schema
reads every old event), sound because our content models are closed; a committed version never changes;
an older major needs an upcaster; `hub schemas check` fails on what breaks and says what to raise."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, ClassVar

import pytest

from hub.events.catalog import EVENT_TYPES
from hub.events.compat import backward_problems, open_models
from hub.events.orders import OrderPaid
from hub.events.schemas import SCHEMA_DIR, check, export
from hub.events.upcasters import unregister, upcaster
from tests.support.hubproc import HubCli

BASE: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "maxLength": 10},
        "status": {"enum": ["a", "b"]},
        "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
    },
    "required": ["id", "status"],
}


def changed(**edits: object) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(json.dumps(BASE))
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


def test_what_a_new_reader_can_read_of_old_events() -> None:
    assert backward_problems(BASE, BASE) == []
    assert backward_problems(BASE, changed(properties__extra={"type": "integer"})) == []  # optional, new
    assert backward_problems(BASE, changed(properties__status={"enum": ["a", "b", "c"]})) == []
    assert backward_problems(BASE, changed(required=["id"])) == []  # required -> optional
    assert backward_problems(BASE, changed(properties__id={"type": ["string", "null"]})) == []  # wider
    assert backward_problems(BASE, changed(properties__id={"type": "string", "maxLength": 20})) == []


def test_what_breaks_is_named() -> None:
    assert backward_problems(BASE, changed(properties__note=None)) == ["$.note: field removed"]
    assert backward_problems(BASE, changed(required=["id", "status", "note"])) == [
        "$.note: changed from optional to required"
    ]
    assert backward_problems(BASE, changed(properties__id={"type": "integer"})) == [
        "$.id: type changed from string to integer"
    ]
    assert backward_problems(BASE, changed(properties__status={"enum": ["a"]})) == [
        "$.status: enum value(s) removed: ['b']"
    ]
    assert backward_problems(BASE, changed(properties__note={"type": "string"})) == [
        "$.note: type changed from null or string to string"
    ]
    assert backward_problems(BASE, changed(properties__id={"type": "string", "maxLength": 5})) == [
        "$.id: maxLength lowered from 10 to 5"
    ]
    added_required = changed(properties__extra={"type": "string"}, required=["id", "status", "extra"])
    assert backward_problems(BASE, added_required) == ["$.extra: new field is required (old events lack it)"]


def test_an_open_content_model_is_what_makes_the_check_unsound() -> None:
    open_base = changed(additionalProperties=None)
    assert open_models(open_base) == ["$: open content model (add additionalProperties: false)"]
    assert backward_problems(open_base, BASE) == [
        "$: content model closed; old events may carry fields it refuses"
    ]
    assert backward_problems(
        open_base, changed(additionalProperties=None, properties__x={"type": "string"})
    ) == ["$.x: field added to an open model (old events may hold it)"]
    for name, cls in EVENT_TYPES.items():  # ours are closed, all the way down
        assert open_models(cls.model_json_schema(mode="serialization")) == [], name


class OrderPaidGift(OrderPaid):
    """1.1: an optional field, the compatible way."""

    MINOR: ClassVar[int] = 1
    gift_note: str | None = None


class OrderPaidRetyped(OrderPaid):
    """1.1 claimed, but channel_status is now a number: old events hold text there."""

    MINOR: ClassVar[int] = 1
    channel_status: int | None = None  # type: ignore[assignment]


class OrderPaidV2(OrderPaid):
    VERSION: ClassVar[int] = 2
    paid_with: str


def with_type(cls: type[OrderPaid]) -> dict[str, Any]:
    return {**EVENT_TYPES, "OrderPaid": cls}


@pytest.fixture
def committed(tmp_path: Path) -> Path:
    folder = tmp_path / "events"
    shutil.copytree(SCHEMA_DIR, folder)
    return folder


def test_the_gate_accepts_an_additive_minor_and_rejects_a_breaking_one(committed: Path) -> None:
    assert check(committed) == []
    assert [p.name for p in export(committed, with_type(OrderPaidGift))] == ["OrderPaid.v1.1.json"]
    assert check(committed, with_type(OrderPaidGift)) == []  # reads every committed version: 1.0
    assert (committed / "OrderPaid.v1.json").exists()  # the old version stays

    found = check(committed, with_type(OrderPaidRetyped))
    # Against 1.0, and against 1.1 (the committed file of the version it claims to be).
    retyped = {f.file for f in found if f.message.startswith("$.channel_status: type changed from null or")}
    assert retyped == {"OrderPaid.v1.json", "OrderPaid.v1.1.json"} and all(f.breaking for f in found)


def test_a_new_major_needs_an_upcaster_from_the_old_one(committed: Path) -> None:
    export(committed, with_type(OrderPaidV2))
    found = check(committed, with_type(OrderPaidV2))
    assert [(f.file, f.message) for f in found] == [("OrderPaid.v1.json", "no upcaster from v1 to v2")]

    upcaster("OrderPaid", from_major=1)(lambda data: {**data, "paid_with": "unknown"})
    try:
        assert check(committed, with_type(OrderPaidV2)) == []
    finally:
        unregister("OrderPaid", 1)


def test_hub_schemas_check_fails_on_an_incompatible_change(committed: Path, cli: HubCli) -> None:
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


def test_a_compatible_change_to_a_committed_version_needs_a_new_minor(committed: Path, cli: HubCli) -> None:
    path = committed / "OrderPaid.v1.json"
    schema = json.loads(path.read_text())
    del schema["properties"]["paid_at"]  # as if the code had just added this optional field
    path.write_text(json.dumps(schema, indent=2))
    result = cli.run("schemas", "check", "--dir", str(committed), check=False)
    assert result.returncode == 1
    assert "OrderPaid.v1.json: changed without a new version" in result.stdout
    assert "raise OrderPaid.MINOR to 1" in result.stdout
    export(committed)  # export leaves a committed version's structure alone
    assert "paid_at" not in json.loads(path.read_text())["properties"]


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
