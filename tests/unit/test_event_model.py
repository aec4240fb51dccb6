"""The internal event model: money, UTC time, the envelope and its two wire forms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from hub.events import Event, Money
from hub.events.catalog import EVENT_TYPES, TOPICS, dataschema_uri
from hub.events.orders import OrderPlaced
from hub.events.stock import InventoryAdjusted
from hub.ids import new_traceparent


def test_money_is_a_decimal_string_never_a_float() -> None:
    assert (
        Money(amount="10.50", currency="USD").as_decimal() * 3
        == Money(amount="31.50", currency="USD").as_decimal()
    )
    with pytest.raises(ValidationError):
        Money(amount=10.5, currency="USD")  # type: ignore[arg-type]
    for bad_amount in ("1e3", "10,50", "", "01.5"):
        with pytest.raises(ValidationError):
            Money(amount=bad_amount, currency="USD")
    with pytest.raises(ValidationError):
        Money(amount="1.00", currency="usd")


def test_times_are_utc_with_an_offset() -> None:
    plus_two = timezone(timedelta(hours=2))
    event = OrderPlaced(channel="x", order_id="1", occurred_at=datetime(2026, 1, 1, 12, tzinfo=plus_two))
    assert event.occurred_at == datetime(2026, 1, 1, 10, tzinfo=UTC)
    assert event.model_dump(mode="json")["occurred_at"] == "2026-01-01T10:00:00+00:00"
    with pytest.raises(ValidationError):
        OrderPlaced(channel="x", order_id="1", occurred_at=datetime(2026, 1, 1, 12))


def test_every_type_is_published_to_its_topic_with_a_stable_key() -> None:
    assert set(TOPICS) == {"orders", "inventory", "listings", "checkout"}
    assert len(EVENT_TYPES) == 22  # 11 commerce events, InventoryReservationChanged, 10 of the checkout saga
    placed = OrderPlaced(channel="walmart", order_id="P1", occurred_at=datetime.now(UTC))
    assert placed.partition_key() == "walmart:P1"
    stock = InventoryAdjusted(
        reason="sale",
        sku="SKU-1",
        location="main",
        delta=-1,
        on_hand=4,
        version=7,
        occurred_at=datetime.now(UTC),
    )
    assert stock.partition_key() == "SKU-1" and stock.TOPIC == "inventory"


def test_envelope_round_trips_through_headers_and_value() -> None:
    data = OrderPlaced(
        channel="tiktok",
        order_id="576486316948490001",
        occurred_at=datetime(2022, 2, 9, 13, 21, 25, tzinfo=UTC),
        total=Money(amount="12.30", currency="IDR"),
    )
    event = Event.create(
        data,
        event_id="e-1",
        source="/connectors/tiktok",
        sequence=3,
        correlationid="c",
        causationid="d",
        traceparent=new_traceparent(),
    )
    headers = dict(event.to_headers())
    assert headers["ce_type"] == b"OrderPlaced"
    assert headers["ce_partitionkey"] == b"tiktok:576486316948490001"
    assert headers["ce_dataschema"] == dataschema_uri(OrderPlaced).encode()
    assert headers["content-type"] == b"application/json"
    again = Event.from_binary(event.to_headers(), event.data_bytes())
    assert again == event
    assert again.typed() == data
    assert again.data["total"] == {"amount": "12.30", "currency": "IDR"}


def test_envelope_refuses_a_malformed_traceparent() -> None:
    with pytest.raises(ValidationError):
        Event.create(
            OrderPlaced(channel="x", order_id="1", occurred_at=datetime.now(UTC)),
            event_id="e",
            source="/s",
            sequence=1,
            correlationid="c",
            causationid="c",
            traceparent="not-a-trace",
        )
