"""The mapping benchmark's naive stack: what someone would build from the same YAML with general-purpose
parts. stdlib json -> the connector's envelopes, shapes and routing as JSONata expressions -> jsonschema
(pure Python) on the mapping's input schema -> one JSONata expression per mapping (naive_jsonata.py, an
included mapping written out in place) -> defaults from the event schema -> jsonschema on the exported
event schema -> envelope, headers and data as JSON."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonata
import jsonschema
from mapping_workload import REPO, Payload
from naive_jsonata import condition, generate, value

from hub.connectors.routing import routing_table
from hub.connectors.shapes import shape_targets
from hub.events.catalog import dataschema_uri, event_class
from hub.mapping.inputs import record_schema
from hub.project import Connector, Project

NOW = datetime(2026, 1, 1, tzinfo=UTC)
TRACEPARENT = "00-" + "1" * 32 + "-" + "2" * 16 + "-01"
SCHEMAS = REPO / "hub" / "schemas" / "events"
Row = dict[str, Any]
_NAMESPACE = uuid.UUID("6f1c2a52-3b8e-4f7e-9d2a-5c0b7d4e8a11")


def fill_defaults(value: Any, schema: dict[str, Any], root: dict[str, Any]) -> None:
    """jsonschema validates but fills nothing: write the defaults the event schema declares."""
    if "$ref" in schema:
        schema = root["$defs"][schema["$ref"].rsplit("/", 1)[1]]
    for option in schema.get("anyOf", ()):
        if option.get("type") != "null":
            fill_defaults(value, option, root)
    if isinstance(value, dict):
        for name, prop in schema.get("properties", {}).items():
            if name not in value and "default" in prop:
                value[name] = json.loads(json.dumps(prop["default"]))
            elif name not in value and prop.get("type") == "array":  # a default_factory=list field
                value[name] = []
            if name in value:
                fill_defaults(value[name], prop, root)
    elif isinstance(value, list) and "items" in schema:
        for item in value:
            fill_defaults(item, schema["items"], root)


def partition_key(event_type: str, data: dict[str, Any]) -> str:
    if event_type == "InventoryAdjusted":
        return str(data["sku"])
    if event_type == "ListingStatusChanged":
        return f"{data['channel']}:{data.get('sku') or data['listing_id']}"
    return f"{data['channel']}:{data['order_id']}"


def _program(text: str) -> Any:
    return jsonata.Jsonata(text)


@dataclass
class Record:
    label: str
    payload: Any
    mapping: str | None  # None: a deliberate ignore
    routing_value: str | None = None


class Front:
    """One connector's envelopes, shapes and routing, each condition and path a JSONata expression."""

    def __init__(self, connector: Connector) -> None:
        spec = connector.spec
        self.envelopes = [
            (
                _program(condition(e.when)),
                _program(value(e.payload)),
                _program(value(e.headers)) if e.headers else None,
            )
            for e in spec.envelopes
        ]
        targets = shape_targets(spec.shapes, spec.catalog)
        self.shapes = [
            (s.name, _program(condition(s.match)), s.records, targets[s.name]) for s in spec.shapes
        ]
        self.records_of = {s.records: _program(value(s.records)) for s in spec.shapes if s.records}
        self.routing = _program(value(spec.routing.from_))
        self.routes, self.ignore = routing_table(spec.routing, spec.catalog)

    def unwrap(self, delivery: Any) -> tuple[Any, dict[str, str] | None]:
        for recognised, payload, headers in self.envelopes:
            if recognised.evaluate(delivery):
                inner = payload.evaluate(delivery)
                found = headers.evaluate(delivery) if headers is not None else None
                return inner, found if isinstance(found, dict) else None
        return delivery, None

    def routed(self, record: Any, bindings: dict[str, Any]) -> tuple[str | None, str]:
        raw = self.routing.evaluate(record, bindings)
        if raw is None:
            raise SystemExit("naive routing: the routing field is missing")
        key = raw if isinstance(raw, str) else json.dumps(raw)
        if key in self.routes:
            return self.routes[key], key
        if key in self.ignore:
            return None, key
        raise SystemExit(f"naive routing: no route for {key!r}")

    def records(self, payload: Any, route: str | None, bindings: dict[str, Any]) -> list[Record]:
        if route is not None:
            return [Record("$", payload, route)]
        for _name, recognised, at, target in self.shapes:
            if not recognised.evaluate(payload):
                continue
            if at is None:
                found: list[tuple[str, Any]] = [("$", payload)]
            else:
                reached = self.records_of[at].evaluate(payload)
                if isinstance(reached, list):
                    found = [(f"{at}[{i}]", r) for i, r in enumerate(reached)]
                else:
                    found = [(at, reached)]
            return [self._target(label, record, target, bindings) for label, record in found]
        if self.shapes:
            raise SystemExit("naive: no known shape")
        return [self._target("$", payload, None, bindings)]

    def _target(self, label: str, record: Any, target: Any, bindings: dict[str, Any]) -> Record:
        if target is not None and target.ignore is not None:
            return Record(label, record, None)
        if target is not None and target.route is not None:
            return Record(label, record, target.route)
        mapping, key = self.routed(record, bindings)
        return Record(label, record, mapping, key)


class NaiveStack:
    def __init__(self, projects: dict[Path, Project]) -> None:
        self.schemas = {}
        self.validators = {}
        for file in SCHEMAS.glob("*.v1.json"):
            schema = json.loads(file.read_text())
            name = file.name.split(".")[0]
            self.schemas[name] = schema
            self.validators[name] = jsonschema.validators.validator_for(schema)(schema)
        self.fronts: dict[tuple[Path, str], Front] = {}
        self.programs: dict[tuple[Path, str, str], tuple[Any, Callable[[Any], None] | None]] = {}
        for root, project in projects.items():
            for name, connector in project.connectors.items():
                self.fronts[(root, name)] = Front(connector)
                for mapping, spec in connector.parts.mappings.items():
                    program = _program(generate(spec, connector.parts))
                    self.programs[(root, name, mapping)] = (
                        program,
                        self._input_check(spec, connector.folder),
                    )

    @staticmethod
    def _input_check(spec: Any, folder: Path) -> Callable[[Any], None] | None:
        if spec.input is None or spec.input.schema_ is None:
            return None
        schema, pointer = record_schema(folder, spec.input.schema_)
        base = tuple(pointer.strip("/").split("/")) if pointer else ()
        validator = jsonschema.validators.validator_for(schema)(schema)
        lenient = [tuple(x.strip("/").split("/")) for x in spec.input.lenient]

        def check(payload: Any) -> None:
            for error in validator.iter_errors(payload):
                path = tuple(str(x) for x in error.schema_path)
                # A location in the file, as the mapping's lenient list names it: under a pointer, jsonschema
                # reports the path inside the node the root's $ref points to.
                path = base + (path[1:] if path[:1] == ("$ref",) else path)
                if not any(path[: len(prefix)] == prefix for prefix in lenient):
                    raise SystemExit(f"naive input check: {error.message} at {path}")

        return check

    def run(self, p: Payload) -> list[Row]:
        front = self.fronts[(p.root, p.connector)]
        payload, recorded = front.unwrap(json.loads(p.body))
        headers = recorded if recorded is not None else p.headers
        bindings: dict[str, Any] = {"connector": p.connector}
        bindings["headers"] = {k.lower(): v for k, v in (headers or {}).items()}
        if p.account is not None:
            bindings["account"] = p.account
        if p.received_at is not None:
            bindings["received_at"] = p.received_at.astimezone(UTC).isoformat()
        records = front.records(payload, p.route, bindings)
        events: list[dict[str, Any]] = []
        for record in records:
            if record.mapping is None:
                continue
            program, check = self.programs[(p.root, p.connector, record.mapping)]
            if check is not None:
                check(record.payload)
            context = dict(bindings, route=record.mapping)
            if record.routing_value is not None:
                context["routing_value"] = record.routing_value
            found: list[dict[str, Any]] = []
            _flatten(program.evaluate(record.payload, context), found)
            if len(records) > 1:  # events of several records carry the record's place in their id
                found = [dict(e, id=f"{record.label}/{e['id']}") for e in found]
            events += found
        return self._rows(p, events)

    def _rows(self, p: Payload, events: list[dict[str, Any]]) -> list[Row]:
        delivery_id = str(uuid.uuid5(_NAMESPACE, "\x1f".join(("delivery", p.connector, p.case))))
        rows = []
        seq = 0
        for event in events:
            kind, data = event["type"], event["data"]
            schema = self.schemas[kind]
            fill_defaults(data, schema, schema)
            if kind == "InventoryAdjusted":  # the domain's part, as the hub's ledger does on an empty store
                if data.get("delta") is None:
                    data["delta"] = data["on_hand"]
                elif data.get("on_hand") is None:
                    data["on_hand"] = data["delta"]
                if data["delta"] == 0:
                    continue  # a level that changes nothing is no event
            seq += 1
            if kind == "InventoryAdjusted":
                data["version"] = seq
            self.validators[kind].validate(data)
            key = partition_key(kind, data)
            event_id = str(uuid.uuid5(_NAMESPACE, "\x1f".join(("event", p.connector, p.case, event["id"]))))
            headers = [
                ["ce_specversion", "1.0"],
                ["ce_id", event_id],
                ["ce_source", f"/connectors/{p.connector}"],
                ["ce_type", kind],
                ["ce_subject", key],
                ["ce_time", data["occurred_at"]],
                ["ce_dataschema", dataschema_uri(event_class(kind))],
                ["ce_partitionkey", key],
                ["ce_sequence", str(seq)],
                ["ce_correlationid", delivery_id],
                ["ce_causationid", delivery_id],
                ["traceparent", TRACEPARENT],
                ["content-type", "application/json"],
            ]
            rows.append(
                {
                    "event_id": event_id,
                    "topic": event_class(kind).TOPIC,
                    "partition_key": key,
                    "sequence": seq,
                    "event_type": kind,
                    "headers": json.dumps(headers),
                    "payload": json.dumps(data, separators=(",", ":")).encode(),
                    "created_at": NOW,
                }
            )
        return rows


def _flatten(value: Any, out: list[dict[str, Any]]) -> None:
    if value is None:
        return
    if isinstance(value, list):
        for v in value:
            _flatten(v, out)
    else:
        out.append(value)
