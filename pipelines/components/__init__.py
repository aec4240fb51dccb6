"""The components `pipelines/defs/*/defs.yaml` instantiate (registered through [tool.dg] registry_modules)."""

from pipelines.components.connectors import ConnectorJobs
from pipelines.components.operations import HubOperations

__all__ = ["ConnectorJobs", "HubOperations"]
