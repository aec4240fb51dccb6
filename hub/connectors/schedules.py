"""What an orchestrator schedules per connector: its pull streams (each with an optional cron) and whether
it has an inventory action to push. The one accessor the Dagster code location reads.

Read from `connectors/*/connector.yaml` as plain YAML, apart from the connector schema, so it accepts
keys the schema does not know yet. The shape read (also documented in pipelines/README.md):

    streams:                         # a list of objects, each with a name (a mapping name -> object
      - name: orders                 # is read the same way)
        schedule: "*/15 * * * *"     # five-field cron, UTC; absent: no schedule, launch by hand
    actions:
      - name: set_inventory          # the action that sets a SKU's quantity on the channel: its
                                     # presence gives the connector an inventory-push job

Nothing else of a stream or action is read here: how to pull or push belongs to the connector runtime.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

INVENTORY_ACTION = "set_inventory"


class ScheduleInvalid(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class StreamPlan:
    connector: str
    name: str
    cron: str | None


@dataclass(frozen=True, slots=True)
class ConnectorPlan:
    name: str
    title: str
    file: Path
    streams: tuple[StreamPlan, ...]
    actions: tuple[str, ...]

    @property
    def pushes_inventory(self) -> bool:
        return INVENTORY_ACTION in self.actions


def _named(value: Any, file: Path, key: str) -> list[tuple[str, dict[str, Any]]]:
    """`[{name: x, ...}]` or `{x: {...}}` as (name, fields) pairs."""
    if value is None:
        return []
    if isinstance(value, dict):
        return [(str(k), v if isinstance(v, dict) else {}) for k, v in value.items()]
    if isinstance(value, list) and all(isinstance(v, dict) and isinstance(v.get("name"), str) for v in value):
        return [(v["name"], v) for v in value]
    raise ScheduleInvalid(f"{file}: `{key}` must be a list of objects with a name")


def _cron(fields: dict[str, Any], file: Path, stream: str) -> str | None:
    cron = fields.get("schedule")
    if cron is None:
        return None
    if not isinstance(cron, str) or len(cron.split()) != 5:
        raise ScheduleInvalid(f"{file}: streams.{stream}.schedule {cron!r} is not a five-field cron string")
    return cron


def plan_of(file: Path) -> ConnectorPlan:
    doc = yaml.safe_load(file.read_text()) or {}
    name = str(doc.get("name") or file.parent.name)
    streams = tuple(
        StreamPlan(name, stream, _cron(fields, file, stream))
        for stream, fields in _named(doc.get("streams"), file, "streams")
    )
    actions = tuple(action for action, _ in _named(doc.get("actions"), file, "actions"))
    return ConnectorPlan(name, str(doc.get("title") or name), file, streams, actions)


def connector_plans(project: Path, only: Sequence[str] | None = None) -> list[ConnectorPlan]:
    """Every connector of the project (or the `only` ones), by name."""
    plans = [plan_of(file) for file in sorted(project.glob("connectors/*/connector.yaml"))]
    return [p for p in plans if not only or p.name in only]
