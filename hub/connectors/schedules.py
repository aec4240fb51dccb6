"""What an orchestrator schedules per connector: its pull streams (each with an optional cron) and whether
it has an inventory action to push. The one accessor the Dagster code location reads.

Read from the connectors' declarations (`streams:` and `actions:` of connector.yaml, checked as `hub lint`
checks them, hub/connectors/stream_spec.py), without compiling the mappings:

    streams:
      orders:                        # -> a pull job per stream
        schedule: "*/10 * * * *"     # five-field cron, UTC; absent: no schedule, launched by hand
    actions:
      set_inventory: ...             # the action that sets SKUs' quantities on the channel: its presence
                                     # gives the connector an inventory-push job
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hub.project import connector_specs

INVENTORY_ACTION = "set_inventory"


@dataclass(frozen=True, slots=True)
class StreamPlan:
    connector: str
    name: str
    cron: str | None


@dataclass(frozen=True, slots=True)
class ConnectorPlan:
    name: str
    title: str
    streams: tuple[StreamPlan, ...]
    actions: tuple[str, ...]

    @property
    def pushes_inventory(self) -> bool:
        return INVENTORY_ACTION in self.actions


def connector_plans(project: Path, only: Sequence[str] | None = None) -> list[ConnectorPlan]:
    """Every connector of the project (or the `only` ones), by name. ProjectInvalid (file, line, field)
    when a connector file fails its checks."""
    return [
        ConnectorPlan(
            name,
            spec.title,
            tuple(StreamPlan(name, stream, s.schedule) for stream, s in spec.streams.items()),
            tuple(spec.actions),
        )
        for name, spec in sorted(connector_specs(project, only).items())
    ]
