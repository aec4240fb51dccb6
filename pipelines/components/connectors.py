"""A component that turns the hub's connector files into jobs and schedules: adding a connector (or a
stream to one) adds its definitions, with no Python."""

from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from hub.config import Settings
from hub.connectors.schedules import connector_plans
from pipelines.connector_jobs import connector_defs


@dataclass
class ConnectorJobs(dg.Component, dg.Resolvable):  # type: ignore[misc]
    """Per connector in `connectors/*/connector.yaml`: a pull job per stream, scheduled by the stream's
    cron, and an inventory-push job when the connector has a `set_inventory` action."""

    project: str | None = None  # the folder holding connectors/; default: HUB_PROJECT

    def build_defs(self, context: dg.ComponentLoadContext) -> dg.Definitions:
        settings = Settings.from_env()
        root = Path(self.project).resolve() if self.project else settings.project
        return connector_defs(connector_plans(root, settings.connectors))
