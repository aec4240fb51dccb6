"""Replaying history into a consumer group: its offsets go back, and the records that were in the log at
that moment are marked as replays (hub.consumers.delivery.current().replay, `Hub-Replay: true` over HTTP)
so a sink can hold back side effects such as e-mails. Events the group applied before are skipped."""

from __future__ import annotations

from datetime import datetime

from hub.broker.port import Broker
from hub.clock import utcnow
from hub.consumers.registry import GroupSpec
from hub.store import Store


def rewind(store: Store, broker: Broker, spec: GroupSpec, to: datetime | None = None) -> int:
    """Move `spec`'s offsets to the start of the log (or the first record at or after `to`); return how
    many records that puts back before the group, all of them marked as replays."""
    before = broker.group_offsets(spec.name, spec.topics)
    ends = {tp: end for tp, (_, end) in before.items()}
    broker.reset_group(spec.name, spec.topics, to=to)
    with store.unit_of_work() as uow:
        uow.replay_marks.set(spec.name, ends, utcnow())
        uow.commit()
    after = broker.group_offsets(spec.name, spec.topics)
    return sum(end - (done or 0) for done, end in after.values())
