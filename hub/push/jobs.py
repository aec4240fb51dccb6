"""Entry points for orchestrators (Dagster's inventory-push jobs): one call, one push of every SKU's
quantity to a channel, for each account whose secrets are set."""

from __future__ import annotations

import logging

from hub.api.accounts import AccountOff
from hub.config import Settings
from hub.push.service import PushService
from hub.store.ledger import Ledger
from hub.wiring import load_project, open_store

log = logging.getLogger(__name__)


def push_inventory(settings: Settings, connector: str) -> int:
    """Set every SKU's on-hand quantity (the ledger's, over all locations) on the channel through its
    `set_inventory` action; return how many SKUs were set. PushFailed names the SKUs the channel refused."""
    store = open_store(settings)
    try:
        with store.read_only() as uow:
            on_hand = uow.get(Ledger).on_hand_by_sku()
        if not on_hand:
            log.info("push %s: the inventory ledger holds no SKU yet", connector)
            return 0
        levels = [{"sku": sku, "quantity": quantity} for sku, quantity in on_hand.items()]
        service = PushService(load_project(settings), store, settings.environ)
        set_ = 0
        for account in service.pulls.accounts(connector):
            if isinstance(account, AccountOff):
                log.info("push %s (%s): off (%s)", connector, account.name, account.reason)
                continue
            set_ += len(service.set_inventory(connector, levels, account.name).succeeded)
        return set_
    finally:
        store.dispose()
