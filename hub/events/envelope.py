"""The event envelope, aligned with CloudEvents 1.0, and its two wire forms.

One type for every event the hub writes, publishes and reads. It is a plain slotted dataclass: the
intake builds one per event from data already validated (its JSON form), at the cost of a tuple; what
comes from outside (`from_binary`, `create` from a model) is validated by pydantic against the same
dataclass, whose fields also give the exported JSON Schema (hub/schemas/events/Envelope.v1.json)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Annotated, Any, Literal

import orjson
from pydantic import AfterValidator, ConfigDict, Field, TypeAdapter, WithJsonSchema

from hub.events.base import EventData
from hub.events.catalog import dataschema_uri, event_class
from hub.events.values import iso
from hub.ids import TRACEPARENT_PATTERN


def _utc_text(text: str) -> str:
    moment = datetime.fromisoformat(text)
    if moment.utcoffset() is None:
        raise ValueError("a time needs its UTC offset")
    return iso(moment.astimezone(UTC))


# The JSON form of the time: ISO 8601 in UTC with its offset, as the event data's own times.
UtcText = Annotated[str, AfterValidator(_utc_text), WithJsonSchema({"type": "string", "format": "date-time"})]


@dataclass(slots=True, kw_only=True)  # not frozen: that makes __init__ four times dearer; nothing changes one
class Event:
    """One immutable fact, with the context needed to order, dedupe and trace it."""

    __pydantic_config__ = ConfigDict(extra="forbid", title="Event")

    specversion: Literal["1.0"] = "1.0"
    id: str
    source: Annotated[str, Field(description="URI reference of the producer, e.g. /connectors/tiktok.")]
    type: str
    subject: str
    time: UtcText
    dataschema: str
    datacontenttype: Literal["application/json"] = "application/json"
    partitionkey: Annotated[
        str, Field(description="Ordering key: events of one key are published and applied in order.")
    ]
    sequence: Annotated[
        int, Field(ge=1, description="Position of this event among the events of its partition key.")
    ]
    correlationid: str
    causationid: str
    traceparent: Annotated[str, Field(pattern=TRACEPARENT_PATTERN)]
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
        """The envelope of a validated model, its attributes validated (sequence, traceparent)."""
        return validate(
            {
                "id": event_id,
                "source": source,
                "type": data.TYPE,
                "subject": data.subject(),
                "time": iso(data.occurred_at),
                "dataschema": dataschema_uri(type(data)),
                "partitionkey": data.partition_key(),
                "sequence": sequence,
                "correlationid": correlationid,
                "causationid": causationid,
                "traceparent": traceparent,
                "data": data.model_dump(mode="json"),
            }
        )

    @property
    def topic(self) -> str:
        return event_class(self.type).TOPIC

    def typed(self) -> EventData:
        return event_class(self.type).model_validate(self.data)

    def occurred(self) -> datetime:
        return datetime.fromisoformat(self.time)

    # -- binary content mode: attributes in headers, data in the value (Kafka and the embedded log)

    def to_headers(self) -> list[tuple[str, bytes]]:
        return [(name, value.encode()) for name, value in self.header_text()]

    def header_text(self) -> list[tuple[str, str]]:
        """CloudEvents attributes as binary-content-mode headers, in this order, before encoding."""
        return [
            ("ce_specversion", self.specversion),
            ("ce_id", self.id),
            ("ce_source", self.source),
            ("ce_type", self.type),
            ("ce_subject", self.subject),
            ("ce_time", self.time),
            ("ce_dataschema", self.dataschema),
            ("ce_partitionkey", self.partitionkey),
            ("ce_sequence", str(self.sequence)),
            ("ce_correlationid", self.correlationid),
            ("ce_causationid", self.causationid),
            ("traceparent", self.traceparent),
            ("content-type", self.datacontenttype),
        ]

    def data_bytes(self) -> bytes:
        return orjson.dumps(self.data)

    @classmethod
    def from_binary(cls, headers: Sequence[tuple[str, bytes]], value: bytes) -> Event:
        attrs: dict[str, Any] = {}
        # Headers kept as JSON text (the embedded log's, hub.broker.port.JsonHeaders) are read as text.
        texts = getattr(headers, "texts", None)
        if texts is not None:
            for name, text in texts():
                attribute = _ATTRIBUTES.get(name) or _extension(name)
                if attribute is not None:
                    attrs[attribute] = text
        else:
            for name, raw in headers:
                attribute = _ATTRIBUTES.get(name) or _extension(name)
                if attribute is not None:
                    attrs[attribute] = raw.decode()
        attrs["data"] = orjson.loads(value)
        return validate(attrs)

    # -- structured content mode: one JSON document

    def as_json(self) -> dict[str, Any]:
        """The attributes and data as one JSON object, in the order of the exported schema."""
        return asdict(self)

    def to_json(self) -> bytes:
        return orjson.dumps(self.as_json())


# Header name -> attribute, for the attributes the envelope has; any other ce_ header is kept under its
# attribute's name too, for validation to refuse (extra="forbid").
_ATTRIBUTES = {f"ce_{name}": name for name in Event.__dataclass_fields__ if name != "data"} | {
    "traceparent": "traceparent"
}


def _extension(header: str) -> str | None:
    return header[3:] if header.startswith("ce_") else None


@cache
def adapter() -> TypeAdapter[Event]:
    return TypeAdapter(Event)


def validate(attributes: dict[str, Any]) -> Event:
    """An envelope from outside: every attribute checked (pydantic's ValidationError when one fails)."""
    return adapter().validate_python(attributes)
