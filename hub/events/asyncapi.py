"""An AsyncAPI 3.0 document of what the hub publishes: a channel per topic, its key, and every event type as
a message with its JSON Schema and the CloudEvents headers it travels with (binary content mode)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

from hub.events.catalog import EVENT_TYPES, TOPICS
from hub.events.schemas import schema_of
from hub.events.versions import version_of

# What the partition key of each topic's messages is: events of one key are published and applied in order.
KEYS = {
    "orders": "`{channel}:{order_id}`: an order's events stay in order.",
    "inventory": "The SKU: a SKU's adjustments stay in order (per-SKU `version`).",
    "listings": "`{channel}:{sku}` (the listing id where a listing has no SKU).",
}
KAFKA_BINDING = "0.5.0"
_HEADERS = (
    ("ce_specversion", "CloudEvents spec version, 1.0."),
    ("ce_id", "The event id: the same fact always has the same id (dedupe on it)."),
    ("ce_source", "The producer, e.g. /connectors/tiktok."),
    ("ce_type", "The event type, e.g. OrderPaid."),
    ("ce_subject", "What the event is about (the order or SKU)."),
    ("ce_time", "When the fact happened at the source (UTC, ISO 8601)."),
    ("ce_dataschema", "The schema version of the payload: urn:hub:event:{type}:v{major}[.{minor}]."),
    ("ce_partitionkey", "The ordering key (also the message key)."),
    ("ce_sequence", "The event's position among its key's events, from 1."),
    ("ce_correlationid", "The delivery the event came from."),
    ("ce_causationid", "What caused the event."),
    ("traceparent", "W3C trace context of the request that committed the event."),
    ("content-type", "application/json"),
)


def _lifted(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    """`schema` with its $defs moved into components.schemas (shared by name) and its refs pointed there."""
    for name, definition in schema.pop("$defs", {}).items():
        schemas.setdefault(name, _rerouted(definition))
    lifted: dict[str, Any] = _rerouted(schema)
    return lifted


def _rerouted(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: ("#/components/schemas/" + v.rsplit("/", 1)[-1] if k == "$ref" else _rerouted(v))
            for k, v in node.items()
            if k not in ("$schema", "$id")
        }
    if isinstance(node, list):
        return [_rerouted(v) for v in node]
    return node


def document(prefix: str = "") -> dict[str, Any]:
    """The AsyncAPI document; topic addresses carry `prefix` (HUB_TOPIC_PREFIX)."""
    try:
        release = version("commerce-hub")
    except PackageNotFoundError:
        release = "0.0.0"
    schemas: dict[str, Any] = {
        "CloudEventHeaders": {
            "type": "object",
            "properties": {name: {"type": "string", "description": about} for name, about in _HEADERS},
            "required": [name for name, _ in _HEADERS if name not in ("traceparent",)],
        }
    }
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for topic in TOPICS:
        types = sorted(name for name, cls in EVENT_TYPES.items() if topic == cls.TOPIC)
        for name in types:
            cls = EVENT_TYPES[name]
            schema_name = f"{name}.{version_of(cls)}"
            schemas[schema_name] = _lifted(schema_of(cls), schemas)
            messages[name] = {
                "name": name,
                "title": name,
                "summary": (cls.__doc__ or name).strip().splitlines()[0],
                "contentType": "application/json",
                "headers": {"$ref": "#/components/schemas/CloudEventHeaders"},
                "payload": {"$ref": f"#/components/schemas/{schema_name}"},
                "correlationId": {"location": "$message.header#/ce_correlationid"},
                "bindings": {
                    "kafka": {
                        "key": {"type": "string", "description": KEYS.get(topic, "The ordering key.")},
                        "bindingVersion": KAFKA_BINDING,
                    }
                },
            }
        channels[topic] = {
            "address": f"{prefix}{topic}",
            "title": topic,
            "description": f"Key: {KEYS.get(topic, 'the ordering key')}",
            "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in types},
        }
        operations[f"publish-{topic}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{topic}"},
            "summary": f"The relay publishes committed {topic} events, at least once, in order per key.",
            "messages": [{"$ref": f"#/channels/{topic}/messages/{name}"} for name in types],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "commerce hub events",
            "version": release,
            "description": "Events the hub publishes: one CloudEvents envelope (binary mode: attributes in "
            "headers, data as the JSON value) and a JSON Schema per event type and version.",
        },
        "defaultContentType": "application/json",
        "servers": {
            "kafka": {
                "host": "{bootstrap}",
                "protocol": "kafka",
                "description": "HUB_BROKER_URL=kafka://host:port",
                "variables": {"bootstrap": {"default": "localhost:9092"}},
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"schemas": schemas, "messages": messages},
    }
