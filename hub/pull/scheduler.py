"""`hub up`'s pulls: every scheduled stream of a connector, for each account whose secrets are set, once at
start and then every interval (Dagster runs them on their cron schedules instead). One thread per
connector, so one marketplace's rate waits never hold another's pulls."""

from __future__ import annotations

import logging
import threading

from hub.api.accounts import AccountOff
from hub.api.errors import ApiError
from hub.pull.lease import StreamBusy
from hub.pull.service import PullService

log = logging.getLogger(__name__)


def scheduled_streams(service: PullService, connector: str) -> list[str]:
    return [n for n, s in service.project.connector(connector).spec.streams.items() if s.schedule]


def pull_loop(service: PullService, connector: str, every_s: float, stop: threading.Event) -> None:
    while not stop.is_set():
        for stream in scheduled_streams(service, connector):  # read each round: a reload may change them
            for _, account in service.targets(connector, stream):
                if stop.is_set():
                    return
                if isinstance(account, AccountOff):
                    continue
                try:
                    done = service.sync(connector, stream, account, stop=stop)
                except StreamBusy as exc:  # Dagster or a person runs it now: this round is theirs
                    log.info("pull: %s", exc)
                    continue
                except ApiError as exc:
                    log.warning("pull %s %s (%s) failed: %s", connector, stream, account.name, exc)
                    continue
                except Exception:
                    log.exception("pull %s %s (%s)", connector, stream, account.name)
                    continue
                if done.accepted:
                    log.info(
                        "pull %s %s (%s): %d new of %d record(s) in %d page(s)",
                        connector,
                        stream,
                        account.name,
                        done.accepted,
                        done.records,
                        done.pages,
                    )
        stop.wait(every_s)


def pulling(service: PullService) -> dict[str, list[str]]:
    """connector -> the accounts whose pulls run (others are off, with the reason logged)."""
    found: dict[str, list[str]] = {}
    for name in sorted(service.project.connectors):
        if not scheduled_streams(service, name):
            continue
        for account in service.accounts(name):
            if isinstance(account, AccountOff):
                log.info("pull %s (%s): off (%s)", name, account.name, account.reason)
            else:
                found.setdefault(name, []).append(account.name)
    return found
