"""How a consumer reads versions: an old event replayed through its upcaster arrives in the current shape, a
newer minor is read without the fields this hub does not know, a newer major is refused with the reason."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from sqlalchemy import text

from hub.broker.factory import open_broker
from hub.broker.port import Broker
from hub.consumers.delivery import current
from hub.consumers.registry import GroupSpec
from hub.consumers.replay import rewind
from hub.consumers.runner import GroupRunner
from hub.events import TOPICS, Event
from hub.events.catalog import EVENT_TYPES
from hub.events.orders import OrderPaid
from hub.events.reader import Unreadable, read_event
from hub.events.upcasters import unregister, upcaster
from hub.relay import Relay
from hub.store import Store, UnitOfWork
from tests.contract.feed import commit_rounds
from tests.support.sink import order_paid_event


class OrderPaidV2(OrderPaid):
    """v2: `channel_status` became `status_at_channel`, and the payment method is required."""

    VERSION: ClassVar[int] = 2
    channel_status: None = None  # type: ignore[assignment]
    status_at_channel: str | None = None
    paid_with: str


def order_paid_v2(data: dict[str, Any]) -> dict[str, Any]:
    moved = {k: v for k, v in data.items() if k != "channel_status"}
    return {**moved, "status_at_channel": data.get("channel_status"), "paid_with": "unknown"}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(f"sqlite:///{tmp_path}/hub.db")
    store.migrate()
    yield store
    store.dispose()


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    broker = open_broker(f"sqlite:///{tmp_path}/log.db")
    broker.ensure_topics(TOPICS)
    yield broker
    broker.close()


def test_an_old_event_replayed_through_its_upcaster_arrives_in_the_current_shape(
    store: Store, broker: Broker, monkeypatch: pytest.MonkeyPatch
) -> None:
    commit_rounds(store, ["A-1"], rounds=2, run="v1")  # OrderPaid v1.0, twice
    Relay(store, broker).drain()
    seen: list[tuple[Event, bool]] = []

    def handler(event: Event, uow: UnitOfWork) -> None:
        seen.append((event, current().replay))

    group = GroupSpec("payments", ("orders",), handler)
    runner = GroupRunner(store, broker, group)
    assert runner.drain() == 2
    runner.consumer.close()
    assert [e.dataschema for e, _ in seen] == ["urn:hub:event:OrderPaid:v1"] * 2
    before = [e.data["channel_status"] for e, _ in seen]  # as v1 carried them

    # The hub moves to OrderPaid v2 with its upcaster; the group replays its history.
    monkeypatch.setitem(EVENT_TYPES, "OrderPaid", OrderPaidV2)
    upcaster("OrderPaid", from_major=1)(order_paid_v2)
    try:
        seen.clear()
        assert rewind(store, broker, group) == 2
        with store.transaction() as conn:  # applied before: a replay skips them unless the group forgets
            conn.execute(text("DELETE FROM consumer_inbox WHERE group_name = 'payments'"))
        replayed = GroupRunner(store, broker, group)
        assert replayed.drain() == 2
        replayed.consumer.close()
    finally:
        unregister("OrderPaid", 1)
    assert [(e.dataschema, replay) for e, replay in seen] == [("urn:hub:event:OrderPaid:v2", True)] * 2
    typed = seen[0][0].typed()
    assert isinstance(typed, OrderPaidV2)
    assert (typed.paid_with, typed.status_at_channel, typed.order_id) == ("unknown", before[0], "A-1")


def an_order_paid(dataschema: str, **extra: Any) -> tuple[list[tuple[str, bytes]], bytes]:
    event = order_paid_event()
    headers = [(k, dataschema.encode() if k == "ce_dataschema" else v) for k, v in event.to_headers()]
    return headers, json.dumps({**event.data, **extra}).encode()


def test_a_newer_minor_is_read_without_the_fields_this_hub_does_not_know() -> None:
    line = {"line_id": "1", "sku": "MUG", "quantity": 2, "gift_wrap": True}  # a field of 1.3, nested
    headers, value = an_order_paid("urn:hub:event:OrderPaid:v1.3", loyalty_tier="gold", order_lines=[line])
    event = read_event(headers, value)
    assert "loyalty_tier" not in event.data
    assert event.data["order_lines"] == [{"line_id": "1", "sku": "MUG", "quantity": 2}]
    assert event.dataschema == "urn:hub:event:OrderPaid:v1"
    assert event.typed().order_lines[0].quantity == 2


def test_a_newer_major_or_an_unknown_type_is_unreadable_with_the_reason() -> None:
    with pytest.raises(
        Unreadable, match=re.escape("unknown major version v2 of OrderPaid: this hub reads up to v1.0")
    ):
        read_event(*an_order_paid("urn:hub:event:OrderPaid:v2"))
    with pytest.raises(Unreadable, match="names no version of OrderPaid"):
        read_event(*an_order_paid("https://example.com/schema"))
    with pytest.raises(Unreadable, match="not a hub event"):
        read_event([("ce_type", b"OrderPaid")], b"{}")
