"""How a consumer reads a record: the event in the shape of this hub's current schema, or why it cannot.

- the current version: as it is (the common case costs one cached parse of `dataschema`);
- an older minor of the current major: as it is (minors only add what a reader may lack);
- a newer minor: read too, leaving out the fields this hub does not know yet (a newer producer);
- an older major: brought up by its upcasters (a replay of old history);
- a newer major, an unknown type, a record that is no hub event: Unreadable, with the reason, which a
  consumer group turns into a dead letter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import cache
from typing import Any

from hub.events.catalog import EVENT_TYPES, dataschema_uri
from hub.events.envelope import Event
from hub.events.upcasters import NoUpcaster, upcast
from hub.events.versions import parse_dataschema


class Unreadable(ValueError):
    """A record a consumer cannot read; the message says why, `event_type` what it claims to be."""

    def __init__(self, reason: str, event_type: str | None = None) -> None:
        super().__init__(reason)
        self.event_type = event_type


def read_event(headers: Sequence[tuple[str, bytes]], value: bytes) -> Event:
    try:
        event = Event.from_binary(headers, value)
    except Exception as exc:  # pydantic, JSON or UTF-8 errors: whatever it is, it is no event of ours
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise Unreadable(f"not a hub event: {first}") from None
    return current_shape(event)


def current_shape(event: Event) -> Event:
    version = parse_dataschema(event.dataschema)
    if version is None or version.type != event.type:
        raise Unreadable(f"dataschema {event.dataschema!r} names no version of {event.type}", event.type)
    cls = EVENT_TYPES.get(event.type)
    if cls is None:
        raise Unreadable(
            f"unknown event type {event.type!r}; this hub knows {', '.join(EVENT_TYPES)}", event.type
        )
    if version.major > cls.VERSION:
        raise Unreadable(
            f"unknown major version v{version.major} of {event.type}: this hub reads up to "
            f"v{cls.VERSION}.{cls.MINOR}",
            event.type,
        )
    if version.major == cls.VERSION and version.minor <= cls.MINOR:
        return event
    if version.major < cls.VERSION:
        try:
            data = upcast(event.type, version.major, cls.VERSION, dict(event.data))
        except NoUpcaster as exc:
            raise Unreadable(str(exc), event.type) from None
    else:
        data = _known_part(event.data, _schema(event.type), _schema(event.type))
    return replace(event, data=data, dataschema=dataschema_uri(cls))


@cache
def _schema(event_type: str) -> dict[str, Any]:
    return EVENT_TYPES[event_type].model_json_schema(mode="serialization")


def _known_part(value: Any, node: Any, root: dict[str, Any]) -> Any:
    """`value` without the object fields `node` does not name, at any depth."""
    while isinstance(node, dict) and "$ref" in node:
        node = root["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    if not isinstance(node, dict):
        return value
    for key in ("anyOf", "oneOf"):
        if key in node:
            fitting = [o for o in node[key] if _fits(value, o, root)]
            return _known_part(value, fitting[0], root) if fitting else value
    if isinstance(value, dict) and "properties" in node:
        props = node["properties"]
        return {k: _known_part(v, props[k], root) for k, v in value.items() if k in props}
    if isinstance(value, list) and isinstance(node.get("items"), dict):
        return [_known_part(v, node["items"], root) for v in value]
    return value


def _fits(value: Any, node: Any, root: dict[str, Any]) -> bool:
    while isinstance(node, dict) and "$ref" in node:
        node = root["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    kind = node.get("type") if isinstance(node, dict) else None
    wanted: dict[str, type] = {
        "object": dict,
        "array": list,
        "string": str,
        "null": type(None),
        "boolean": bool,
    }
    if kind in wanted:
        return isinstance(value, wanted[kind])
    if kind in ("integer", "number"):
        return isinstance(value, int | float) and not isinstance(value, bool)
    return True
