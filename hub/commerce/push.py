"""The channel-sync port's adapter: a channel is told its quantity through its connector's declared
`set_inventory` action (hub.push, the outbound actions of issue 15: auth, rate budget, retries, the
answer checked)."""

from __future__ import annotations

from collections.abc import Mapping

from hub.commerce.channel_sync import InventoryPort
from hub.domain.policy import InventoryPolicy
from hub.project import Project
from hub.push.service import PushService
from hub.store import Store


class ConnectorActions:
    def __init__(self, project: Project, store: Store, environ: Mapping[str, str]) -> None:
        self.policy: InventoryPolicy = project.inventory
        self.service = PushService(project, store, environ)

    def push_inventory(self, connector: str, account: str | None, sku: str, quantity: int) -> None:
        extra = next(
            (
                spec.fields.get(sku, {})
                for name, spec in self.policy.channels.items()
                if (spec.connector or name) == connector
            ),
            {},
        )
        level = {**extra, "sku": self.policy.item_of(connector, sku), "quantity": quantity}
        self.service.set_inventory(connector, [level], account)


def channel_port(project: Project, store: Store, environ: Mapping[str, str]) -> InventoryPort:
    return ConnectorActions(project, store, environ)
