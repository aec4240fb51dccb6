"""Entry points for orchestrators (Dagster's pull jobs): one call, one sync of a stream for every
account whose secrets are set."""

from __future__ import annotations

import logging

from hub.api.accounts import AccountOff
from hub.config import Settings
from hub.pull.lease import StreamBusy
from hub.pull.service import PullService
from hub.wiring import load_project, open_store

log = logging.getLogger(__name__)


def pull(settings: Settings, connector: str, stream: str) -> int:
    """Sync `stream` of `connector` for each of its accounts; return how many new records were stored. A
    stream another process is pulling right now is left to it (0 for that account)."""
    store = open_store(settings)
    try:
        service = PullService(load_project(settings), store, settings.environ)
        stored = 0
        for _, account in service.targets(connector, stream):
            if isinstance(account, AccountOff):
                log.info("pull %s %s (%s): off (%s)", connector, stream, account.name, account.reason)
                continue
            try:
                stored += service.sync(connector, stream, account).accepted
            except StreamBusy as exc:
                log.info("pull: %s", exc)
        return stored
    finally:
        store.dispose()
