"""Mapping benchmark: events per second on one core for parse -> validate input -> map -> validate output
-> serialize, over the bundled samples, next to the hub before its runtime became one and a naive stack
doing the same work, in the same run.

    .venv/bin/python bench/mapping.py [--rounds 5] [--seconds 2] [--cpu N] [--no-pin]

The workload is every golden case that expects events (mappings/*/tests), of the bundled project and of
the Shopify/WooCommerce example project (examples/platforms), its input built as the case builds it and
written as the payload bytes a marketplace sends (numbers stay JSON numbers), with the request headers a
case gives.

hub:   hub.jsonio.loads (exact decimals) -> Project.normalize (envelope, route, input schema, mapping, draft
       validation) -> the domain's completion of inventory events -> Event envelope -> the outbox row
       (headers as the JSON column stores them, data bytes).
before: the same pipeline of the hub at before.BASELINE (loaded from git with its own connectors and
       mappings): its generated mappings, whose rare nodes called its closure interpreter, and
       ("closures") that closure interpreter alone. It runs the bundled payloads whose events it gives as
       today's hub does (the fields its event model lacks aside); a mapping changed since is left out of
       its workload, and "hub, before's payloads" is today's hub on the same payloads.
naive: mapping_naive.py: stdlib json -> envelopes, shapes and routing as JSONata -> jsonschema (pure Python)
       against the same input schema -> one JSONata expression per mapping (jsonata-python, generated from
       the mapping: naive_jsonata.py) -> defaults from the event schema -> jsonschema against the exported
       event schema -> envelope, headers and data as JSON.

Before timing, every payload's events from the naive stack must equal the hub's (type, id, partition key,
data as JSON values, headers), or the run stops. Stacks alternate per round; medians are printed. Not a
test: nothing asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import before
import orjson
from mapping_naive import NOW, TRACEPARENT, NaiveStack, Row
from mapping_workload import REPO, Payload, payloads

import hub.domain.inventory
import hub.ids
import hub.intake.emit
import hub.jsonio
import hub.project
import hub.store.outbox
from hub.jsonio import loads
from hub.project import Project

EXAMPLES = REPO / "examples" / "platforms"
# Fields of today's order events that the event model at before.BASELINE lacks.
NEW_FIELDS = frozenset({"market", "currency"})


# -- the hub


class HubStack:
    """The hub's intake path without the store: modules of today's hub, or of before.load."""

    def __init__(self, projects: dict[Path, Any], modules: dict[str, Any]) -> None:
        self.projects = projects
        self.m = modules

    def _normalize(self, p: Payload, payload: Any) -> Any:
        extra = {"headers": p.headers} if p.headers else {}  # the hub before knew no headers
        return self.projects[p.root].normalize(
            p.connector, payload, account=p.account, route=p.route, received_at=p.received_at, **extra
        )

    def run(self, p: Payload) -> list[Row]:
        m = self.m
        payload = m["jsonio"].loads(p.body)
        outcome = self._normalize(p, payload)
        if type(outcome).__name__ != "Mapped":
            raise SystemExit(f"{p.case}: expected events, got {outcome}")
        emit = m["intake.emit"]
        origin = emit.Origin(0, p.connector, p.case, None)
        delivery_id = m["ids"].stable_id("delivery", p.connector, p.case)
        rows = []
        for seq, (draft, completion) in enumerate(
            emit.settle(m["domain.inventory"].Ledger({}), outcome.drafts), 1
        ):
            if hasattr(emit, "numbered"):  # the hub now: built, then numbered once sequences are known
                event = emit.numbered(emit.envelope(origin, draft, completion, delivery_id, TRACEPARENT), seq)
            else:  # the hub before
                event = emit.envelope(origin, draft, completion, seq, delivery_id, TRACEPARENT)
            row = m["store.outbox"].row(event, NOW)
            if not isinstance(row["headers"], str | bytes):  # a JSON column: the text the store writes
                row["headers"] = m["jsonio"].json_text(row["headers"])
            rows.append(row)
        return rows

    def mapping_of(self, p: Payload) -> str:
        outcome = self._normalize(p, loads(p.body))
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


# -- checking and timing


def same(hub_rows: list[Row], naive_rows: list[Row], lacking: frozenset[str] = frozenset()) -> str | None:
    """What differs between two stacks' rows; None when they are the same. `lacking`: fields the other
    stack's event model does not have, left out of the hub's data where the other's lacks them."""
    if len(hub_rows) != len(naive_rows):
        return f"{len(hub_rows)} hub event(s), {len(naive_rows)} naive"
    for h, n in zip(hub_rows, naive_rows, strict=True):
        for field in ("event_id", "event_type", "partition_key", "topic", "sequence"):
            if h[field] != n[field]:
                return f"{field}: hub {h[field]!r}, naive {n[field]!r}"
        hd, nd = orjson.loads(h["payload"]), json.loads(n["payload"])
        hd = {k: v for k, v in hd.items() if k in nd or k not in lacking}
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


Stack = tuple[str, Callable[[Payload], list[Row]], list[Payload]]


def agrees(hub: HubStack, other: HubStack, p: Payload) -> bool:
    try:
        return same(hub.run(p), other.run(p), NEW_FIELDS) is None
    except (SystemExit, KeyError):  # the earlier hub quarantines it, or lacks its mapping or connector
        return False


def assemble(args: argparse.Namespace) -> tuple[HubStack, list[Payload], list[Stack]]:
    """The stacks to time, each with the payloads it runs; every other stack's output checked first."""
    roots = [REPO, EXAMPLES]
    projects = {root: Project.load(root) for root in roots}
    work = payloads(*roots)
    hub = HubStack(projects, HUB_MODULES)
    stacks: list[Stack] = [("hub", hub.run, work)]
    if not args.no_before:
        folder, old = before.load(REPO)
        earlier = HubStack({REPO: old["project"].Project.load(folder)}, old)
        closures = HubStack({REPO: before.closures_only(old["project"].Project.load(folder))}, old)
        subset = [p for p in work if p.root == REPO and agrees(hub, earlier, p)]
        print(
            f"before: {len(subset)} of {len(work)} payloads give the same events there "
            "(the others' mappings changed since)"
        )
        stacks += [
            ("hub, before's payloads", hub.run, subset),
            ("before", earlier.run, subset),
            ("before, closures", closures.run, subset),
        ]
    if not args.no_naive:
        naive = NaiveStack(projects)
        for p in work:
            problem = same(hub.run(p), naive.run(p))
            if problem:
                raise SystemExit(f"naive and hub disagree on {p.case}: {problem}")
        stacks.append(("naive", naive.run, work))
    return hub, work, stacks


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

    hub, work, stacks = assemble(args)
    mapping_of = {p.case: f"{p.connector}/{hub.mapping_of(p)}" for p in work}
    events = sum(len(hub.run(p)) for p in work)
    print(
        f"workload: {len(work)} payloads "
        f"({sum(len(p.body) for p in work) / len(work):,.0f} bytes on average), "
        f"{events} events, {len(set(mapping_of.values()))} mappings; "
        f"the naive stack's output equals the hub's for every payload"
    )
    pinned = "unpinned" if args.no_pin else f"pinned to CPU {args.cpu}"
    print(f"python {sys.version.split()[0]}; {pinned}; seconds of {args.clock} time")
    for _, run, own in stacks:  # warm-up
        throughput(run, own, 0.3)

    figures: dict[str, list[float]] = defaultdict(list)
    others: list[float] = []
    for r in range(args.rounds):
        busy0, own0, t0 = cpu_busy(), own_cpu(), time.perf_counter()
        for name, run, own in stacks:
            figures[name].append(throughput(run, own, args.seconds))
        wall = time.perf_counter() - t0
        others.append(max(0.0, (cpu_busy() - busy0) - (own_cpu() - own0)) / wall / (os.cpu_count() or 1))
        line = ", ".join(f"{name} {figures[name][-1]:,.0f}" for name, _, _ in stacks)
        print(f"round {r + 1}: events/s {line}")

    print()
    print("| | payloads | events/s (one core) | µs per event | hub / this (same payloads) |")
    print("|---|---:|---:|---:|---:|")
    for name, _, own in stacks:
        eps = statistics.median(figures[name])
        base = "hub, before's payloads" if name.startswith("before") else "hub"
        ratio = "" if name == "hub, before's payloads" else f"{statistics.median(figures[base]) / eps:,.2f}x"
        print(f"| {name} | {len(own)} | {eps:,.0f} | {1e6 / eps:,.1f} | {ratio} |")
    pairs = zip(figures.get("hub, before's payloads", []), figures.get("before", []), strict=False)
    ratios = [h / b for h, b in pairs]
    if ratios:
        print(f"\nhub / before per round: {', '.join(f'{r:.2f}' for r in ratios)}")
    print(
        f"\nmedians of {args.rounds} rounds of {args.seconds:g} s ({args.clock}); other processes used "
        f"{100 * statistics.median(others):.0f}% of the machine's {os.cpu_count()} CPUs meanwhile "
        f"(load average {os.getloadavg()[0]:.2f})"
    )
    breakdown(hub, work, stacks, mapping_of, args.breakdown_seconds)
    return 0


def breakdown(
    hub: HubStack, work: list[Payload], stacks: list[Stack], mapping_of: dict[str, str], seconds: float
) -> None:
    print("\nper mapping (µs per payload; events per payload; in brackets: the stack's time / the hub's):")
    print("| mapping | payloads | events/payload | " + " | ".join(f"{n} µs" for n, _, _ in stacks) + " |")
    print("|---|---:|---:|" + "---:|" * len(stacks))
    groups: dict[str, list[Payload]] = defaultdict(list)
    for p in work:
        groups[mapping_of[p.case]].append(p)
    for name, group in sorted(groups.items()):
        per_event = sum(len(hub.run(p)) for p in group) / len(group)
        times = []
        for _, run, own in stacks:
            mine = [p for p in group if p in own]
            times.append(
                statistics.median(per_payload_us(run, mine, seconds) for _ in range(3)) if mine else None
            )
        cells = [f"{times[0]:,.1f}"] + [
            "-" if t is None else f"{t:,.0f} ({t / times[0]:.1f}x)" for t in times[1:]
        ]
        print(f"| {name} | {len(group)} | {per_event:.1f} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    sys.exit(main())
