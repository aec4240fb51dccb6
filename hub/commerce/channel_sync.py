"""Channel sync: the `channel-sync` consumer group keeps its own view of each SKU from the inventory topic,
in version order (a gap holds the SKU, see hub/domain/availability.py), and records what each channel may
sell; the pusher tells each channel through its connector's inventory action, and lowers a SKU's zero
barrier once every channel was told a quantity at or after the version that reached zero.

Per-key holding here is small and local to this group; the operability work (issue 18) parks keys for any
ordered group. When that lands this group's hold can become its parking."""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Protocol

from hub.clock import utcnow
from hub.domain.availability import Admitted, SkuView, admit, offers, release
from hub.domain.policy import InventoryPolicy
from hub.events import Event
from hub.retry import backoff_s, retry_until
from hub.store import Store, UnitOfWork
from hub.store.channel_sync import ChannelStock, ChannelSync
from hub.store.stock import Stock

log = logging.getLogger(__name__)

GROUP = "channel-sync"


class InventoryPort(Protocol):
    """How a channel is told what it may sell (the adapter runs the connector's inventory action)."""

    def push_inventory(self, connector: str, account: str | None, sku: str, quantity: int) -> None: ...


def pushed_channels(policy: InventoryPolicy) -> list[str]:
    return [name for name, spec in policy.channels.items() if spec.push]


def apply_event(uow: UnitOfWork, policy: InventoryPolicy, event: Event, now: datetime) -> Admitted:
    """The group's effect of one inventory event, in the group's unit of work."""
    sync = uow.get(ChannelSync)
    sku = event.partitionkey
    row = sync.views([sku]).get(sku)
    view = row.view if row else SkuView(sku)
    result = admit(view, event.sequence, event.type, event.data)
    _save(sync, view, row.held_since if row else None, now, policy, result.applied)
    if result.note:
        log.info("%s: %s: %s", GROUP, sku, result.note)
    return result


def _save(
    sync: ChannelSync,
    view: SkuView,
    held_since: datetime | None,
    now: datetime,
    policy: InventoryPolicy,
    applied: tuple[int, ...],
) -> None:
    sync.save_view(view, held_since=(held_since or now) if view.is_held else None, at=now)
    if applied and not view.is_held:
        wanted = {c: q for c, q in offers(view, policy).items() if c in pushed_channels(policy)}
        source_time = datetime.fromisoformat(view.occurred_at) if view.occurred_at else now
        sync.tell(view.sku, wanted, view.version, source_time, now)


def release_sku(store: Store, policy: InventoryPolicy, sku: str) -> tuple[int, ...]:
    """An operator's call: the versions a held SKU waits for will not come; go on from the first held."""
    now = utcnow()
    with store.unit_of_work() as uow:
        sync = uow.get(ChannelSync)
        row = sync.views([sku]).get(sku)
        if row is None or not row.view.is_held:
            return ()
        view = row.view
        applied = release(view)
        _save(sync, view, row.held_since, now, policy, applied)
        uow.commit()
    log.warning("%s: %s released by an operator; applied versions %s", GROUP, sku, applied)
    return applied


class ChannelPusher:
    """Tells each channel its newest quantity. A failed push is retried on the next round; a newer quantity
    replaces an older one not yet sent."""

    def __init__(
        self,
        store: Store,
        policy: InventoryPolicy,
        port: InventoryPort,
        channels: Collection[str] | None = None,
    ) -> None:
        self.store = store
        self.policy = policy
        self.port = port
        self.channels = channels  # None: every channel
        self.refused: dict[str, str] = {}  # "sku@channel" -> why its last push failed

    def run_once(self, limit: int = 200, *, due: datetime | None = None) -> int:
        """Push what is waiting (with `due`, not what waits to be tried again after a failure, so one
        channel that keeps refusing neither floods it nor holds up the others); the number of channel
        updates accepted."""
        with self.store.read_only() as uow:
            rows = uow.get(ChannelSync).to_push(limit, self.channels, due)
        done = 0
        for row in rows:
            spec = self.policy.channels.get(row.channel)
            if spec is None or not spec.push:
                continue
            try:
                self.port.push_inventory(spec.connector or row.channel, spec.account, row.sku, row.quantity)
            except Exception as exc:
                log.warning("push of %s to %s failed: %s", row.sku, row.channel, exc)
                self._record(row, error=f"{type(exc).__name__}: {exc}")
                self.refused[f"{row.sku}@{row.channel}"] = str(exc)
                continue
            self.refused.pop(f"{row.sku}@{row.channel}", None)
            self._record(row)
            done += 1
        return done

    def _record(self, row: ChannelStock, error: str | None = None) -> None:
        with self.store.unit_of_work() as uow:
            sync = uow.get(ChannelSync)
            if error is not None:
                retry_at = utcnow() + timedelta(seconds=backoff_s(row.attempts + 1))
                sync.failed(row, error, retry_at)
            else:
                sync.pushed(row, utcnow())
                least = sync.least_pushed_version(row.sku, pushed_channels(self.policy))
                uow.get(Stock).lower_barrier(row.sku, least)
            uow.commit()

    def drain(self) -> int:
        total = 0
        while n := self.run_once():
            total += n
        return total

    def run(self, stop: threading.Event, idle_s: float = 0.2) -> None:
        while not stop.is_set():
            busy = retry_until(lambda: self.run_once(due=utcnow()), stop, "channel pusher")
            if not busy:
                stop.wait(idle_s)
