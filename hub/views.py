"""What the built-in read models hold, for `hub view` and `hub groups`: rows as plain dicts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select

from hub.broker.port import Broker
from hub.consumers.registry import GroupSpec
from hub.store import Store
from hub.store.group_errors import GroupErrors
from hub.store.repository import Repository
from hub.store.tables import audit_log, inventory_levels, order_view

# Each view: its query, newest first, and the columns a person reads first.
VIEWS: dict[str, Select[Any]] = {
    "orders": select(
        order_view.c.channel,
        order_view.c.order_id,
        order_view.c.last_event_type,
        order_view.c.channel_status,
        order_view.c.last_sequence,
        order_view.c.events_applied,
        order_view.c.updated_at,
    ).order_by(order_view.c.updated_at.desc(), order_view.c.order_id),
    "audit": select(
        audit_log.c.recorded_at,
        audit_log.c.event_type,
        audit_log.c.partition_key,
        audit_log.c.sequence,
        audit_log.c.event_id,
    ).order_by(audit_log.c.id.desc()),
    "inventory": select(
        inventory_levels.c.sku,
        inventory_levels.c.location,
        inventory_levels.c.on_hand,
        inventory_levels.c.updated_at,
    ).order_by(inventory_levels.c.sku, inventory_levels.c.location),
}


class ReadModels(Repository):
    def rows(self, view: str, limit: int) -> list[dict[str, Any]]:
        found = self.conn.execute(VIEWS[view].limit(limit)).mappings()
        return [{str(k): v for k, v in r.items()} for r in found]


def rows(store: Store, view: str, limit: int) -> list[dict[str, Any]]:
    with store.read_only() as uow:
        return uow.get(ReadModels).rows(view, limit)


@dataclass(frozen=True)
class GroupState:
    name: str
    topics: tuple[str, ...]
    committed: int  # records the group has committed past, over all its partitions
    end: int  # records in those partitions
    error: str | None
    failed_at: datetime | None

    @property
    def lag(self) -> int:
        return self.end - self.committed


def group_states(store: Store, broker: Broker, specs: Sequence[GroupSpec]) -> list[GroupState]:
    with store.read_only() as uow:
        errors = uow.get(GroupErrors).last()
    states = []
    for spec in specs:
        offsets = broker.group_offsets(spec.name, spec.topics)
        committed = sum(done or 0 for done, _ in offsets.values())
        end = sum(end for _, end in offsets.values())
        error, at = errors.get(spec.name, (None, None))
        states.append(GroupState(spec.name, spec.topics, committed, end, error, at))
    return states
