"""What the hub's checks read (Dagster asset checks, and any status screen): each one number or age."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from hub.clock import utcnow
from hub.store import Store
from hub.store.alerts import Alert, Alerts
from hub.store.gauges import Gauges


@dataclass(frozen=True, slots=True)
class Backlog:
    pending: int
    oldest_committed_at: datetime | None

    def age(self, now: datetime | None = None) -> timedelta:
        """How long the oldest unpublished event has waited; zero when none waits."""
        if self.oldest_committed_at is None:
            return timedelta(0)
        return max((now or utcnow()) - self.oldest_committed_at, timedelta(0))


def quarantine_size(store: Store) -> int:
    """Open quarantine entries: payloads kept whole that did not become events yet."""
    with store.read_only() as uow:
        return uow.get(Gauges).open_quarantine()


def dead_letters(store: Store, group: str | None = None) -> int:
    """Dead letters waiting for a person (`hub dlq ls`), of every consumer group or of `group`; the events
    parked behind them are not counted. The number the Dagster check, /metrics and `hub status` show."""
    with store.read_only() as uow:
        counts = uow.dead_letters.dead_counts()
    return counts.get(group, 0) if group is not None else sum(counts.values())


def outbox_backlog(store: Store) -> Backlog:
    with store.read_only() as uow:
        return Backlog(*uow.get(Gauges).outbox_pending())


def raise_alert(store: Store, source: str, message: str, run_id: str | None = None) -> int:
    with store.unit_of_work() as uow:
        alert_id = uow.get(Alerts).add(source, message, utcnow(), run_id)
        uow.commit()
    return alert_id


def recent_alerts(store: Store, limit: int = 50, source: str | None = None) -> list[Alert]:
    with store.read_only() as uow:
        return uow.get(Alerts).latest(limit, source)
