"""The relay as `hub relay` and `hub up` run it: shard leases, a waker, and retention cleanup on a timer."""

from __future__ import annotations

import logging
import threading
import time

from hub.broker.port import Broker
from hub.config import Settings
from hub.relay.leases import LeaseKeeper
from hub.relay.relay import Relay
from hub.retention import Cleaner
from hub.store import Store
from hub.store.wakeup import Wakeup

log = logging.getLogger(__name__)


class RelayService:
    def __init__(self, store: Store, broker: Broker, settings: Settings, *, batch_size: int = 1000) -> None:
        self.store = store
        self.settings = settings
        self.leases = LeaseKeeper(store, ttl_s=settings.relay_lease_ttl.total_seconds())
        self.relay = Relay(store, broker, batch_size=batch_size, leases=self.leases)

    def run(self, stop: threading.Event, wakeup: Wakeup) -> None:
        """Publish until `stop` is set, then hand the shards back so other relays take over at once."""
        cleaner = Cleaner(self.store, self.settings.retention, self.settings.cleanup_every).spawn(stop)
        log.info("relay %s started", self.leases.owner)
        try:
            self.relay.run(stop, wakeup)
        finally:
            stop.set()
            self._release()
            cleaner.join(timeout=15)

    def drain(self) -> int:
        """Publish what is pending now, then exit (`hub relay --once`).

        Shards another relay holds are left to it. A relay that died still holds its leases until they
        expire, so while some shards are not ours we keep trying for one lease time before giving up.
        """
        deadline = time.monotonic() + self.leases.ttl_s + self.leases.heartbeat_s
        total = 0
        try:
            while True:
                self.leases.maintain(force=True)
                total += self.relay.drain()
                held = len(self.leases.held())
                if held == self.leases.shards or time.monotonic() > deadline:
                    if held < self.leases.shards:
                        log.info(
                            "%d shard(s) are leased to other relays; they publish those",
                            self.leases.shards - held,
                        )
                    return total
                time.sleep(self.leases.heartbeat_s)
        finally:
            self._release()

    def _release(self) -> None:
        try:
            self.leases.release()
        except Exception as exc:  # the leases will expire on their own
            log.warning("relay %s could not release its leases: %s", self.leases.owner, exc)
