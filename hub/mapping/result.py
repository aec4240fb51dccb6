"""What normalizing one payload can come to: events, a quarantine reason, or a deliberate ignore."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from hub.events.base import EventData


class Draft:
    """An event's data before the domain and the envelope complete it.

    Holds the data as a model (an instance of the event class, or of its draft model when the domain owns
    fields), as its JSON form (`model_dump(mode="json")`), or both; either is made from the other when
    first asked for. The intake's hot path only ever needs the JSON form."""

    __slots__ = ("_data", "_json", "event", "local_id")

    def __init__(
        self,
        data: EventData | None = None,
        local_id: str = "",
        event: type[EventData] | None = None,
        *,
        json: dict[str, Any] | None = None,
    ) -> None:
        if data is None and (json is None or event is None):
            raise TypeError("a draft needs its data: a model, or the JSON form and the event class")
        self._data = data
        self._json = json
        self.local_id = local_id  # which emitter and item produced it: part of the stable event id
        self.event: type[EventData] = event if event is not None else type(data)  # type: ignore[assignment]

    @property
    def data(self) -> EventData:
        if self._data is None:
            from hub.mapping.drafts import draft_model

            self._data = draft_model(self.event).model_validate(self._json)
        return self._data

    @property
    def json(self) -> dict[str, Any]:
        if self._json is None:
            self._json = self.data.model_dump(mode="json")
        return self._json

    def partition_key(self) -> str:
        return keys_of(self.event, self.json)[0]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Draft):
            return NotImplemented
        return (self.event, self.local_id, self.json) == (other.event, other.local_id, other.json)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Draft({self.event.__name__}, {self.local_id!r}, {self.json!r})"


def keys_of(event: type[EventData], data: dict[str, Any]) -> tuple[str, str]:
    """An event's partition key and subject, read off its JSON form: the event classes' methods read
    string fields only, which the JSON form holds as they are."""
    methods = _KEY_METHODS.get(event)
    if methods is None:
        subject = None if event.subject is EventData.subject else event.subject
        methods = _KEY_METHODS[event] = (event.partition_key, subject)
    view: Any = SimpleNamespace(**data)  # the fields as attributes, for the methods
    key: str = methods[0](view)
    if methods[1] is None:
        return key, key
    view.partition_key = lambda: key  # a subject() may build on the key
    return key, methods[1](view)


_KEY_METHODS: dict[type[EventData], tuple[Any, Any]] = {}


@dataclass(frozen=True, slots=True)
class Mapped:
    mapping: str
    drafts: list[Draft]


@dataclass(frozen=True, slots=True)
class Quarantined:
    mapping: str | None
    reason: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Ignored:
    mapping: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class Deferred:
    """A thin payload whose events come from a follow-up fetch of `key` (the connector's `enrich`)."""

    mapping: str
    key: str
    reason: str


Outcome = Mapped | Quarantined | Ignored | Deferred


def outcome_of(mapping: str, drafts: list[Draft], ignored: list[str]) -> Outcome:
    """What a mapping's run came to: its drafts, unless two share a local id; else why it emitted none."""
    ids = [d.local_id for d in drafts]
    if len(set(ids)) != len(ids):
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        return Quarantined(mapping, f"foreach keys repeat ({', '.join(repeated)}): events need unique keys")
    if not drafts:
        return Ignored(
            mapping, "; ".join(ignored) if ignored else "the mapping emitted no event for this payload"
        )
    return Mapped(mapping, drafts)
