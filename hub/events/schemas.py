"""Event JSON Schemas in the repository, one file per version, and the gate on changing them.

Every version of an event ever committed stays in hub/schemas/events/ (`OrderPaid.v1.json`,
`OrderPaid.v1.1.json`, ...). A committed version never changes but for its descriptions. The current
version must read events of every committed version of its major (BACKWARD_TRANSITIVE, compat.py); an
older major needs an upcaster chain to the current one; and every object is closed
(`additionalProperties: false`), which is what makes the compatibility check sound.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hub.events.base import EventData
from hub.events.catalog import EVENT_TYPES, dataschema_uri
from hub.events.compat import backward_problems, open_models
from hub.events.envelope import adapter
from hub.events.upcasters import has_upcaster
from hub.events.versions import Version, parse_file_name, version_of

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas" / "events"
ENVELOPE_FILE = "Envelope.v1.json"
_PROSE = ("description", "title", "examples")


def schema_of(cls: type[EventData]) -> dict[str, Any]:
    schema = cls.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": dataschema_uri(cls),
        **schema,
        "title": cls.TYPE,
        "x-topic": cls.TOPIC,
        "x-version": cls.VERSION,
        **({"x-minor": cls.MINOR} if cls.MINOR else {}),
    }


def envelope_schema() -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:hub:event:Envelope:v1",
        **adapter().json_schema(mode="serialization"),
    }


def current(types: Mapping[str, type[EventData]] | None = None) -> dict[str, dict[str, Any]]:
    """File name -> schema, for every event type at its current version, and the envelope."""
    files = {version_of(cls).file_name: schema_of(cls) for cls in (types or EVENT_TYPES).values()}
    files[ENVELOPE_FILE] = envelope_schema()
    return files


def schema_file(cls: type[EventData], directory: Path = SCHEMA_DIR) -> Path:
    return directory / version_of(cls).file_name


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=False) + "\n"


def structure(node: Any) -> Any:
    """A schema without its prose and annotations: what a change to it changes for a reader."""
    if isinstance(node, dict):
        return {k: structure(v) for k, v in node.items() if k not in _PROSE and not k.startswith("x-")}
    if isinstance(node, list):
        return [structure(v) for v in node]
    return node


@dataclass(frozen=True)
class Finding:
    file: str
    breaking: bool
    message: str


def export(directory: Path = SCHEMA_DIR, types: Mapping[str, type[EventData]] | None = None) -> list[Path]:
    """Write each current version's file: a new version, or new prose for a committed one. A committed
    version whose structure would change is left alone (`check` says what to raise instead)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in current(types).items():
        path = directory / name
        text = render(schema)
        if path.exists():
            committed = json.loads(path.read_text())
            if path.read_text() == text:
                continue
            # The envelope has one version: it may grow compatibly. An event's committed version may not.
            envelope = name == ENVELOPE_FILE and not backward_problems(committed, schema)
            if structure(committed) != structure(schema) and not envelope:
                continue
        path.write_text(text)
        written.append(path)
    return written


def committed_versions(directory: Path = SCHEMA_DIR) -> dict[str, dict[Version, dict[str, Any]]]:
    """Event type -> every version committed in `directory`, with its schema."""
    found: dict[str, dict[Version, dict[str, Any]]] = {}
    for path in sorted(directory.glob("*.json")):
        version = parse_file_name(path.name)
        if version is not None and path.name != ENVELOPE_FILE:
            found.setdefault(version.type, {})[version] = json.loads(path.read_text())
    return found


def check(directory: Path = SCHEMA_DIR, types: Mapping[str, type[EventData]] | None = None) -> list[Finding]:
    types = types or EVENT_TYPES
    history = committed_versions(directory)
    findings = _envelope_finding(directory)
    for cls in types.values():
        version, schema = version_of(cls), schema_of(cls)
        findings += [Finding(version.file_name, True, problem) for problem in open_models(schema)]
        findings += _own_file(directory / version.file_name, schema, cls)
        for old, old_schema in sorted(history.get(cls.TYPE, {}).items()):
            if old.major == version.major and old < version:
                findings += [
                    Finding(old.file_name, True, f"{p} (read by {version})")
                    for p in backward_problems(old_schema, schema)
                ]
            elif old.major < version.major and not _upcast_path(cls.TYPE, old.major, version.major):
                findings.append(
                    Finding(old.file_name, True, f"no upcaster from v{old.major} to v{version.major}")
                )
            elif old > version:
                findings.append(Finding(old.file_name, True, f"committed, newer than the code's {version}"))
    return findings


def _upcast_path(event_type: str, major: int, to_major: int) -> bool:
    return all(has_upcaster(event_type, step) for step in range(major, to_major))


def _own_file(path: Path, schema: dict[str, Any], cls: type[EventData]) -> list[Finding]:
    if not path.exists():
        return [Finding(path.name, False, "not exported yet: run `hub schemas export` and commit it")]
    committed = json.loads(path.read_text())
    if committed == json.loads(render(schema)):
        return []
    if structure(committed) == structure(schema):
        return [Finding(path.name, False, "descriptions changed: run `hub schemas export`")]
    problems = backward_problems(committed, schema)
    if problems:
        return [Finding(path.name, True, p) for p in problems]
    return [
        Finding(
            path.name,
            True,
            f"changed without a new version: a committed version never changes; raise {cls.__name__}.MINOR "
            f"to {cls.MINOR + 1} (the change is compatible) and run `hub schemas export`",
        )
    ]


def _envelope_finding(directory: Path) -> list[Finding]:
    path = directory / ENVELOPE_FILE
    schema = envelope_schema()
    if not path.exists():
        return [Finding(ENVELOPE_FILE, False, "not exported yet: run `hub schemas export` and commit it")]
    committed = json.loads(path.read_text())
    if committed == json.loads(render(schema)):
        return []
    problems = backward_problems(committed, schema)
    if problems:
        return [Finding(ENVELOPE_FILE, True, p) for p in problems]
    return [Finding(ENVELOPE_FILE, False, "compatible change not exported: run `hub schemas export`")]
