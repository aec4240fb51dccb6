"""Mapping benchmark: events per second on one core for parse -> validate input -> map -> validate output
-> serialize, over the bundled samples, next to the hub before its runtime became one and a naive stack
doing the same work, in the same run.

    .venv/bin/python bench/mapping.py [--rounds 5] [--seconds 2] [--cpu N] [--no-pin]

The workload is every golden case that expects events (mappings/*/tests), its input built as the case
builds it and written as the payload bytes a marketplace sends (numbers stay JSON numbers).

hub:   hub.jsonio.loads (exact decimals) -> Project.normalize (envelope, route, input schema, mapping, draft
       validation) -> the domain's completion of inventory events -> Event envelope -> the outbox row
       (headers as the JSON column stores them, data bytes).
before: the same pipeline of the hub at before.BASELINE (loaded from git): its generated mappings,
       whose rare nodes called its closure interpreter, and ("closures") that closure interpreter alone.
naive: stdlib json -> jsonschema (pure Python) against the same input schema -> one JSONata expression per
       mapping (jsonata-python, generated from the mapping: naive_jsonata.py) -> defaults from the event
       schema -> jsonschema against the exported event schema -> envelope, headers and data as JSON.

Before timing, every payload's events from the earlier hub and the naive stack must equal the hub's
(type, id, partition key, data as JSON values), or the run stops. Stacks alternate per round; medians are
printed. Not a test: nothing asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import before
import jsonata
import jsonschema
import orjson
from mapping_workload import REPO, Payload, payloads
from naive_jsonata import generate

import hub.domain.inventory
import hub.ids
import hub.intake.emit
import hub.jsonio
import hub.project
import hub.store.outbox
from hub.events.catalog import dataschema_uri, event_class
from hub.jsonio import loads
from hub.mapping.inputs import record_schema
from hub.project import Project

NOW = datetime(2026, 1, 1, tzinfo=UTC)
TRACEPARENT = "00-" + "1" * 32 + "-" + "2" * 16 + "-01"
SCHEMAS = REPO / "hub" / "schemas" / "events"
Row = dict[str, Any]


# -- the hub


class HubStack:
    """The hub's intake path without the store: modules of today's hub, or of before.load."""

    def __init__(self, project: Any, modules: dict[str, Any]) -> None:
        self.project = project
        self.m = modules

    def run(self, p: Payload) -> list[Row]:
        m = self.m
        payload = m["jsonio"].loads(p.body)
        outcome = self.project.normalize(
            p.connector, payload, account=p.account, route=p.route, received_at=p.received_at
        )
        if type(outcome).__name__ != "Mapped":
            raise SystemExit(f"{p.case}: expected events, got {outcome}")
        emit = m["intake.emit"]
        origin = emit.Origin(0, p.connector, p.case, None)
        delivery_id = m["ids"].stable_id("delivery", p.connector, p.case)
        rows = []
        for seq, (draft, completion) in enumerate(
            emit.settle(m["domain.inventory"].Ledger({}), outcome.drafts), 1
        ):
            event = emit.envelope(origin, draft, completion, seq, delivery_id, TRACEPARENT)
            row = m["store.outbox"].row(event, NOW)
            if not isinstance(row["headers"], str | bytes):  # a JSON column: the text the store writes
                row["headers"] = m["jsonio"].json_text(row["headers"])
            rows.append(row)
        return rows

    def mapping_of(self, p: Payload) -> str:
        outcome = self.project.normalize(
            p.connector, loads(p.body), account=p.account, route=p.route, received_at=p.received_at
        )
        assert outcome.mapping is not None
        return str(outcome.mapping)


HUB_MODULES = {
    "project": hub.project,
    "jsonio": hub.jsonio,
    "ids": hub.ids,
    "intake.emit": hub.intake.emit,
    "store.outbox": hub.store.outbox,
    "domain.inventory": hub.domain.inventory,
}


# -- the naive stack

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


@dataclass
class Plan:
    program: Any
    input_check: Callable[[Any], None] | None
    unwrap: bool
    bindings: dict[str, Any]


class NaiveStack:
    def __init__(self, project: Project, work: list[Payload], mappings: dict[str, str]) -> None:
        self.schemas = {}
        self.validators = {}
        for file in SCHEMAS.glob("*.v1.json"):
            schema = json.loads(file.read_text())
            name = file.name.split(".")[0]
            self.schemas[name] = schema
            self.validators[name] = jsonschema.validators.validator_for(schema)(schema)
        programs: dict[tuple[str, str], Any] = {}
        checks: dict[tuple[str, str], Any] = {}
        self.plans: dict[str, Plan] = {}
        for p in work:
            key = (p.connector, mappings[p.case])
            compiled = project.connector(p.connector).mappings[key[1]]
            if key not in programs:
                from hub.mapping.spec import MappingSpec
                from hub.yamlpos import load

                spec = MappingSpec.model_validate(load(compiled.source.read_text()).data)
                programs[key] = jsonata.Jsonata(generate(spec))
                checks[key] = self._input_check(spec, project.connector(p.connector).folder)
            delivered = loads(p.body)
            wrapped = project.connector(p.connector).unwrap(delivered) is not delivered
            bindings = {"connector": p.connector}
            if p.account is not None:
                bindings["account"] = p.account
            if p.route is not None:
                bindings["route"] = p.route
            if p.received_at is not None:
                bindings["received_at"] = p.received_at.astimezone(UTC).isoformat()
            self.plans[p.case] = Plan(programs[key], checks[key], wrapped, bindings)

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
        plan = self.plans[p.case]
        payload = json.loads(p.body)
        if plan.unwrap:
            payload = payload["detail"]
        if plan.input_check is not None:
            plan.input_check(payload)
        result = plan.program.evaluate(payload, plan.bindings)
        events: list[dict[str, Any]] = []
        _flatten(result, events)
        delivery_id = str(uuid.uuid5(_NAMESPACE, "\x1f".join(("delivery", p.connector, p.case))))
        rows = []
        for seq, event in enumerate(events, 1):
            kind, data = event["type"], event["data"]
            schema = self.schemas[kind]
            fill_defaults(data, schema, schema)
            if kind == "InventoryAdjusted":  # the domain's part, as the hub's ledger does on an empty store
                if data.get("delta") is None:
                    data["delta"] = data["on_hand"]
                elif data.get("on_hand") is None:
                    data["on_hand"] = data["delta"]
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


# -- checking and timing


def same(hub_rows: list[Row], naive_rows: list[Row]) -> str | None:
    if len(hub_rows) != len(naive_rows):
        return f"{len(hub_rows)} hub event(s), {len(naive_rows)} naive"
    for h, n in zip(hub_rows, naive_rows, strict=True):
        for field in ("event_id", "event_type", "partition_key", "topic", "sequence"):
            if h[field] != n[field]:
                return f"{field}: hub {h[field]!r}, naive {n[field]!r}"
        hd, nd = orjson.loads(h["payload"]), json.loads(n["payload"])
        if hd != nd:
            diff = {k: (hd.get(k), nd.get(k)) for k in set(hd) | set(nd) if hd.get(k) != nd.get(k)}
            return f"{h['event_type']} data differs: {diff}"
        if json.loads(h["headers"]) != json.loads(n["headers"]):
            return f"headers differ: {h['headers']} / {n['headers']}"
    return None


# The time a stack runs is the CPU time of this process: on a quiet pinned core the same as the wall
# clock, and on a busy machine it leaves out the time other processes held the core (--clock wall: the
# wall clock).
CLOCK: Callable[[], float] = time.process_time


def cpu_busy() -> float:
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def own_cpu() -> float:
    t = os.times()
    return t.user + t.system


def throughput(run: Callable[[Payload], list[Row]], work: list[Payload], seconds: float) -> float:
    """Events per second over whole passes of the workload, for at least `seconds`."""
    events, start = 0, CLOCK()
    while True:
        for p in work:
            events += len(run(p))
        elapsed = CLOCK() - start
        if elapsed >= seconds:
            return events / elapsed


def per_payload_us(run: Callable[[Payload], list[Row]], work: list[Payload], seconds: float) -> float:
    passes, start = 0, CLOCK()
    while True:
        for p in work:
            run(p)
        passes += 1
        elapsed = CLOCK() - start
        if elapsed >= seconds:
            return 1e6 * elapsed / (passes * len(work))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=2.0, help="per stack per round")
    parser.add_argument("--cpu", type=int, default=(os.cpu_count() or 1) - 1, help="the core to run on")
    parser.add_argument("--no-pin", action="store_true")
    parser.add_argument("--no-naive", action="store_true", help="without the naive stack")
    parser.add_argument("--no-before", action="store_true", help="without the hub before the change")
    parser.add_argument("--breakdown-seconds", type=float, default=0.3, help="per mapping per stack")
    parser.add_argument("--clock", choices=["cpu", "wall"], default="cpu", help="what a second is")
    args = parser.parse_args()
    global CLOCK
    CLOCK = time.process_time if args.clock == "cpu" else time.perf_counter
    if not args.no_pin:
        os.sched_setaffinity(0, {args.cpu})

    project = Project.load(REPO)
    work = payloads(REPO)
    hub = HubStack(project, HUB_MODULES)
    mapping_of = {p.case: f"{p.connector}/{hub.mapping_of(p)}" for p in work}
    stacks: list[tuple[str, Callable[[Payload], list[Row]]]] = [("hub", hub.run)]
    if not args.no_before:
        folder, old = before.load(REPO)
        stacks.append(("before", HubStack(old["project"].Project.load(folder), old).run))
        closures = before.closures_only(old["project"].Project.load(folder))
        stacks.append(("before, closures", HubStack(closures, old).run))
    if not args.no_naive:
        naive = NaiveStack(project, work, {p.case: mapping_of[p.case].split("/")[1] for p in work})
        stacks.append(("naive", naive.run))
    for name, run in stacks[1:]:
        for p in work:
            problem = same(hub.run(p), run(p))
            if problem:
                raise SystemExit(f"{name} and hub disagree on {p.case}: {problem}")
    events = sum(len(hub.run(p)) for p in work)
    print(
        f"workload: {len(work)} payloads "
        f"({sum(len(p.body) for p in work) / len(work):,.0f} bytes on average), "
        f"{events} events, {len(set(mapping_of.values()))} mappings; "
        f"every stack's output equals the hub's for every payload"
    )
    pinned = "unpinned" if args.no_pin else f"pinned to CPU {args.cpu}"
    print(f"python {sys.version.split()[0]}; {pinned}; seconds of {args.clock} time")
    for _, run in stacks:  # warm-up
        throughput(run, work, 0.3)

    figures: dict[str, list[float]] = defaultdict(list)
    others: list[float] = []
    for r in range(args.rounds):
        busy0, own0, t0 = cpu_busy(), own_cpu(), time.perf_counter()
        for name, run in stacks:
            figures[name].append(throughput(run, work, args.seconds))
        wall = time.perf_counter() - t0
        others.append(max(0.0, (cpu_busy() - busy0) - (own_cpu() - own0)) / wall / (os.cpu_count() or 1))
        line = ", ".join(f"{name} {figures[name][-1]:,.0f}" for name, _ in stacks)
        print(f"round {r + 1}: events/s {line}")

    hub_eps = statistics.median(figures["hub"])
    print()
    print("| | events/s (one core) | µs per event | hub / this |")
    print("|---|---:|---:|---:|")
    for name, _ in stacks:
        eps = statistics.median(figures[name])
        print(f"| {name} | {eps:,.0f} | {1e6 / eps:,.1f} | {hub_eps / eps:,.2f}x |")
    ratios = [f[0] / f[1] for f in zip(figures["hub"], figures.get("before", []), strict=False)]
    if ratios:
        print(f"\nhub / before per round: {', '.join(f'{r:.2f}' for r in ratios)}")
    print(
        f"\nmedians of {args.rounds} rounds of {args.seconds:g} s ({args.clock}); other processes used "
        f"{100 * statistics.median(others):.0f}% of the machine's {os.cpu_count()} CPUs meanwhile "
        f"(load average {os.getloadavg()[0]:.2f})"
    )

    print("\nper mapping (µs per payload; events per payload; in brackets: the stack's time / the hub's):")
    print("| mapping | payloads | events/payload | " + " | ".join(f"{n} µs" for n, _ in stacks) + " |")
    print("|---|---:|---:|" + "---:|" * len(stacks))
    groups: dict[str, list[Payload]] = defaultdict(list)
    for p in work:
        groups[mapping_of[p.case]].append(p)
    for name, group in sorted(groups.items()):
        per_event = sum(len(hub.run(p)) for p in group) / len(group)
        times = [
            statistics.median(per_payload_us(run, group, args.breakdown_seconds) for _ in range(3))
            for _, run in stacks
        ]
        cells = [f"{times[0]:,.1f}"] + [f"{t:,.0f} ({t / times[0]:.1f}x)" for t in times[1:]]
        print(f"| {name} | {len(group)} | {per_event:.1f} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
