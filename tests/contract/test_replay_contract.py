"""Replay by event time, on both brokers: exactly the events of the window reach the group, each once,
however often the replay runs, and a group that applied some of them live gets only the rest."""

from __future__ import annotations

import pytest

from hub.broker.port import Broker
from hub.consumers.runner import apply_once
from hub.events import Event
from hub.replay import replay
from hub.store import Store
from tests.contract.stacks import EmbeddedStack, KafkaStack, SqliteStack
from tests.support.dated import audit_into, audited, commit_days, day, publish

PER_DAY = (3, 4, 5, 2, 6)  # days 0..4


class ReplayContract:
    def test_only_the_window_once(self, store: Store, broker: Broker) -> None:
        times = commit_days(store, PER_DAY)
        assert publish(store, broker) == sum(PER_DAY)
        group = audit_into("replay-fresh")

        done = replay(store, broker, group, day(1), day(4))

        wanted = {e for e, at in times.items() if day(1) <= at < day(4)}
        assert len(wanted) == 4 + 5 + 2
        assert (done.matched, done.applied) == (len(wanted), len(wanted))
        assert sorted(audited(store, "replay-fresh")) == sorted(wanted)
        again = replay(store, broker, group, day(0), day(5))
        assert (again.matched, again.applied) == (sum(PER_DAY), sum(PER_DAY) - len(wanted))
        applied = audited(store, "replay-fresh")
        assert sorted(applied) == sorted(times) and len(applied) == len(set(applied))

    def test_events_applied_live_are_skipped(self, store: Store, broker: Broker) -> None:
        times = commit_days(store, PER_DAY)
        publish(store, broker)
        group = audit_into("replay-live")
        first_day = [e for e, at in times.items() if at < day(1)]
        live = [Event.from_binary(r.headers, r.value) for r in broker.read(list(group.topics))]
        apply_once(store, group, [e for e in live if e.id in first_day])

        done = replay(store, broker, group, day(0), day(2))

        assert (done.matched, done.applied) == (PER_DAY[0] + PER_DAY[1], PER_DAY[1])
        assert len(audited(store, "replay-live")) == PER_DAY[0] + PER_DAY[1]

    def test_an_empty_window_is_refused(self, store: Store, broker: Broker) -> None:
        with pytest.raises(ValueError, match="empty replay window"):
            replay(store, broker, audit_into("g"), day(2), day(2))


class TestReplayEmbedded(SqliteStack, EmbeddedStack, ReplayContract):
    pass


class TestReplayKafka(SqliteStack, KafkaStack, ReplayContract):
    pass
