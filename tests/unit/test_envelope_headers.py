"""Binary-mode headers are read off the fields; they must equal the event's JSON form."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hub.events import Event
from hub.events.orders import OrderPlaced


def test_headers_equal_the_json_form_of_the_attributes() -> None:
    data = OrderPlaced(
        channel="tiktok",
        account="7494049642642441621",
        order_id="576486316948490001",
        channel_status="UNPAID",
        occurred_at=datetime(2022, 2, 9, 18, 51, 25, 120000, tzinfo=timezone(timedelta(hours=5, minutes=30))),
    )
    event = Event.create(
        data,
        event_id="3b0f0e4c-0000-5000-8000-000000000000",
        source="/connectors/tiktok",
        sequence=12,
        correlationid="c",
        causationid="d",
        traceparent="00-" + "1" * 32 + "-" + "2" * 16 + "-01",
    )
    dumped = event.as_json()
    expected = [
        (f"ce_{name}", str(dumped[name]))
        for name in (
            "specversion",
            "id",
            "source",
            "type",
            "subject",
            "time",
            "dataschema",
            "partitionkey",
            "sequence",
            "correlationid",
            "causationid",
        )
    ]
    expected += [("traceparent", event.traceparent), ("content-type", "application/json")]
    assert event.header_text() == expected
    assert event.to_headers() == [(k, v.encode()) for k, v in expected]
    assert dict(expected)["ce_time"] == "2022-02-09T13:21:25.120000+00:00"
    assert Event.from_binary(event.to_headers(), event.data_bytes()) == event
