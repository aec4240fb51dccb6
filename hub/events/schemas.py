"""Export the event JSON Schemas into the repository and check changes against the committed ones."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hub.events.base import EventData
from hub.events.catalog import EVENT_TYPES, dataschema_uri
from hub.events.compat import breaking_changes
from hub.events.envelope import adapter

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas" / "events"


def schema_of(cls: type[EventData]) -> dict[str, Any]:
    schema = cls.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": dataschema_uri(cls),
        **schema,
        "title": cls.TYPE,
        "x-topic": cls.TOPIC,
        "x-version": cls.VERSION,
    }


def current() -> dict[str, dict[str, Any]]:
    """File name -> schema, for every event type at its current version, and the envelope."""
    files = {f"{cls.TYPE}.v{cls.VERSION}.json": schema_of(cls) for cls in EVENT_TYPES.values()}
    envelope = adapter().json_schema(mode="serialization")
    files["Envelope.v1.json"] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:hub:event:Envelope:v1",
        **envelope,
    }
    return files


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=False) + "\n"


def export(directory: Path = SCHEMA_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in current().items():
        path = directory / name
        text = render(schema)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            written.append(path)
    return written


@dataclass(frozen=True)
class Finding:
    file: str
    breaking: bool
    message: str


def check(directory: Path = SCHEMA_DIR) -> list[Finding]:
    findings = []
    for name, schema in current().items():
        path = directory / name
        if not path.exists():
            findings.append(Finding(name, False, "not exported yet: run `hub schemas export` and commit it"))
            continue
        committed = json.loads(path.read_text())
        if committed == json.loads(render(schema)):
            continue
        problems = breaking_changes(committed, schema)
        if problems:
            findings.extend(Finding(name, True, p) for p in problems)
        else:
            findings.append(Finding(name, False, "compatible change not exported: run `hub schemas export`"))
    return findings
