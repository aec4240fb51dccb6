"""Entry point for orchestrators (Dagster's `<connector>__push_inventory` jobs): one channel inventory sync
for the channels a connector sells on, as the channel-sync group's pusher does it under `hub up`."""

from __future__ import annotations

import logging

from hub.commerce.channel_sync import ChannelPusher
from hub.commerce.inventory import reconcile_inventory
from hub.commerce.push import channel_port
from hub.config import Settings
from hub.wiring import load_project, open_store

log = logging.getLogger(__name__)


class ChannelRefused(RuntimeError):
    """The channel refused some SKUs' quantities; the message names them (the run fails with it)."""


def push_inventory(settings: Settings, connector: str | None = None) -> int:
    """Compare what `connector`'s channels (every pushed channel, without one) were told with the
    inventory ledger (reservations, safety stock and buffers of inventory.yaml applied; marketplace-held
    stock such as FBA never offered), queue each difference, and tell the channels through their
    connectors' `set_inventory` actions. Returns how many SKU quantities were accepted; ChannelRefused
    names the SKUs a channel refused."""
    project = load_project(settings)
    policy = project.inventory
    channels = {
        name
        for name, spec in policy.channels.items()
        if spec.push and connector in (None, spec.connector or name)
    }
    where = connector or "every channel"
    if not channels:
        log.info("push %s: inventory.yaml names no channel of it that is pushed", where)
        return 0
    store = open_store(settings)
    try:
        report = reconcile_inventory(store, policy)
        log.info("push %s: %d SKU(s) checked, %d requeued", where, report.checked, len(report.requeued))
        pusher = ChannelPusher(store, policy, channel_port(project, store, settings.environ), channels)
        accepted = pusher.drain()
    finally:
        store.dispose()
    if pusher.refused:
        named = "; ".join(f"{where}: {why}" for where, why in sorted(pusher.refused.items()))
        raise ChannelRefused(f"{where}: {len(pusher.refused)} refused ({accepted} accepted): {named}")
    return accepted
