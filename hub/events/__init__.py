"""The internal event model: one envelope (CloudEvents 1.0 aligned) and the typed event data."""

from hub.events.catalog import EVENT_TYPES, TOPICS, event_class
from hub.events.envelope import Event
from hub.events.values import Money

__all__ = ["EVENT_TYPES", "TOPICS", "Event", "Money", "event_class"]
