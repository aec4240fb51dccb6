"""The hub's figures at one moment: quarantine, outbox lag, each consumer group's lag, dead letters and
parked keys. `hub status` prints them, /metrics serves them, the Dagster checks read them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from hub import health
from hub.broker.port import Broker
from hub.clock import utcnow
from hub.consumers.registry import GroupSpec
from hub.store import Store


@dataclass(frozen=True)
class GroupStatus:
    name: str
    topics: tuple[str, ...]
    owner: str
    lag: dict[tuple[str, int], int] = field(default_factory=dict)  # (topic, partition) -> records behind
    dead_letters: int = 0
    parked_keys: int = 0
    lag_error: str | None = None  # the broker could not say

    @property
    def total_lag(self) -> int:
        return sum(self.lag.values())


@dataclass(frozen=True)
class Status:
    at: datetime
    quarantine: int
    outbox_pending: int
    outbox_oldest_age_s: float
    groups: list[GroupStatus]

    @property
    def dead_letters(self) -> int:
        return sum(g.dead_letters for g in self.groups)


def snapshot(store: Store, broker: Broker | None, specs: Sequence[GroupSpec]) -> Status:
    """Read everything once. Without a broker (a receiver alone) the groups' lag is left out."""
    now = utcnow()
    quarantine, backlog = health.quarantine_size(store), health.outbox_backlog(store)
    with store.read_only() as uow:
        dead = uow.dead_letters.dead_counts()
        parked = uow.dead_letters.parked_counts()
    names = {s.name for s in specs} | set(dead) | set(parked)
    by_name = {s.name: s for s in specs}
    groups = []
    for name in sorted(names):
        spec = by_name.get(name)
        lag: dict[tuple[str, int], int] = {}
        error = None
        if spec is not None and broker is not None:
            try:
                offsets = broker.group_offsets(spec.name, spec.topics)
                lag = {tp: end - (done or 0) for tp, (done, end) in offsets.items()}
            except Exception as exc:  # the broker away: the other figures still count
                error = f"{type(exc).__name__}: {exc}"
        groups.append(
            GroupStatus(
                name,
                spec.topics if spec else (),
                spec.owner if spec else "",
                lag,
                dead.get(name, 0),
                parked.get(name, 0),
                error,
            )
        )
    return Status(now, quarantine, backlog.pending, backlog.age(now).total_seconds(), groups)
