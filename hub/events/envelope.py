"""The event envelope, aligned with CloudEvents 1.0, and its two wire forms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field

from hub.events.base import EventData
from hub.events.catalog import dataschema_uri, event_class
from hub.events.values import UtcDatetime, iso
from hub.ids import TRACEPARENT_PATTERN


class Event(BaseModel):
    """One immutable fact, with the context needed to order, dedupe and trace it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    specversion: Literal["1.0"] = "1.0"
    id: str
    source: str = Field(description="URI reference of the producer, e.g. /connectors/tiktok.")
    type: str
    subject: str
    time: UtcDatetime
    dataschema: str
    datacontenttype: Literal["application/json"] = "application/json"
    partitionkey: str = Field(
        description="Ordering key: events of one key are published and applied in order."
    )
    sequence: int = Field(ge=1, description="Position of this event among the events of its partition key.")
    correlationid: str
    causationid: str
    traceparent: str = Field(pattern=TRACEPARENT_PATTERN)
    data: dict[str, Any]

    @classmethod
    def create(
        cls,
        data: EventData,
        *,
        event_id: str,
        source: str,
        sequence: int,
        correlationid: str,
        causationid: str,
        traceparent: str,
    ) -> Event:
        return cls(
            id=event_id,
            source=source,
            type=data.TYPE,
            subject=data.subject(),
            time=data.occurred_at,
            dataschema=dataschema_uri(type(data)),
            partitionkey=data.partition_key(),
            sequence=sequence,
            correlationid=correlationid,
            causationid=causationid,
            traceparent=traceparent,
            data=data.model_dump(mode="json"),
        )

    @property
    def topic(self) -> str:
        return event_class(self.type).TOPIC

    def typed(self) -> EventData:
        return event_class(self.type).model_validate(self.data)

    # -- binary content mode: attributes in headers, data in the value (Kafka and the embedded log)

    def to_headers(self) -> list[tuple[str, bytes]]:
        return [(name, value.encode()) for name, value in self.header_text()]

    def header_text(self) -> list[tuple[str, str]]:
        """CloudEvents attributes as binary-content-mode headers, in this order, before encoding. Read
        off the fields (a model_dump per event costs more on the intake hot path); the values are what
        the JSON form holds, the time through the same serializer."""
        return _headers(self, iso(self.time))

    def data_bytes(self) -> bytes:
        return orjson.dumps(self.data)

    @classmethod
    def from_binary(
        cls, headers: list[tuple[str, bytes]] | tuple[tuple[str, bytes], ...], value: bytes
    ) -> Event:
        attrs: dict[str, Any] = {}
        for name, raw in headers:
            text = raw.decode()
            if name.startswith("ce_"):
                attrs[name[3:]] = text
            elif name == "traceparent":
                attrs["traceparent"] = text
        attrs["data"] = orjson.loads(value)
        return cls.model_validate(attrs)

    # -- structured content mode: one JSON document

    def to_json(self) -> bytes:
        return self.model_dump_json().encode()

    def occurred(self) -> datetime:
        return self.time


def _headers(e: Event | EventRecord, time: str) -> list[tuple[str, str]]:
    return [
        ("ce_specversion", e.specversion),
        ("ce_id", e.id),
        ("ce_source", e.source),
        ("ce_type", e.type),
        ("ce_subject", e.subject),
        ("ce_time", time),
        ("ce_dataschema", e.dataschema),
        ("ce_partitionkey", e.partitionkey),
        ("ce_sequence", str(e.sequence)),
        ("ce_correlationid", e.correlationid),
        ("ce_causationid", e.causationid),
        ("traceparent", e.traceparent),
        ("content-type", e.datacontenttype),
    ]


@dataclass(slots=True)
class EventRecord:
    """An event as the intake writes it to the outbox: the same attributes as Event, and its data as the
    JSON form of a validated event (`model_dump(mode="json")`), with no model built on the way. Its headers
    and data bytes are exactly those of the Event with the same values."""

    id: str
    source: str
    type: str
    subject: str
    time: str  # the JSON form of the time: ISO 8601 in UTC, as Event serializes it
    dataschema: str
    partitionkey: str
    sequence: int
    correlationid: str
    causationid: str
    traceparent: str
    data: dict[str, Any]
    topic: str
    specversion: str = "1.0"
    datacontenttype: str = "application/json"

    def header_text(self) -> list[tuple[str, str]]:
        return _headers(self, self.time)

    def data_bytes(self) -> bytes:
        return orjson.dumps(self.data)

    def to_event(self) -> Event:
        """The same event as the model (validated)."""
        return Event.model_validate(
            {
                "id": self.id,
                "source": self.source,
                "type": self.type,
                "subject": self.subject,
                "time": self.time,
                "dataschema": self.dataschema,
                "partitionkey": self.partitionkey,
                "sequence": self.sequence,
                "correlationid": self.correlationid,
                "causationid": self.causationid,
                "traceparent": self.traceparent,
                "data": self.data,
            }
        )
