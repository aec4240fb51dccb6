"""Golden tests that live beside each mapping: mappings/<connector>/tests/<mapping>.yaml.

Each case names an input (a sample file, optionally one part of it, parts of other files attached
under a path, a few patched or removed fields; or an inline payload; the account and receive time
intake would record) and what the mapping must make of it: events, a quarantine reason, or an ignore.
`hub test --update` rewrites the expectations from what the mappings produce now.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML

from hub.jsonio import dumps, loads
from hub.mapping.paths import MISSING, compile_path, parse
from hub.mapping.result import Mapped, Outcome, Quarantined
from hub.preview import Delivery, as_intake_would
from hub.project import Project


@dataclass(frozen=True)
class Case:
    connector: str
    mapping: str
    file: Path
    index: int
    spec: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.spec.get("name", self.index))

    @property
    def id(self) -> str:
        return f"{self.connector}/{self.mapping}::{self.name}"


def golden_files(project_root: Path) -> Iterator[tuple[str, str, Path]]:
    for file in sorted((project_root / "mappings").glob("*/tests/*.yaml")):
        yield file.parent.parent.name, file.stem, file


def load_cases(project_root: Path) -> list[Case]:
    cases = []
    for connector, mapping, file in golden_files(project_root):
        doc = yaml.safe_load(file.read_text()) or {}
        for index, spec in enumerate(doc.get("cases", [])):
            cases.append(Case(connector, mapping, file, index, spec))
    return cases


def _set(payload: Any, path: str, value: Any) -> None:
    """Patch one value; an index one past the end of an array appends (a case may add a line)."""
    _, segments = parse(path)
    target = payload
    try:
        for seg in segments[:-1]:
            target = target[seg]
        last = segments[-1]
        if isinstance(target, list) and last == len(target):
            target.append(value)
        else:
            target[last] = value
    except (KeyError, IndexError, TypeError) as exc:
        raise ValueError(f"input.set {path}: nothing to set there ({exc!r})") from None


def _as_json(value: Any) -> Any:
    """A value written in YAML as intake's JSON parser would read it: numbers with a point are exact
    decimals (YAML would make them binary floats, which the mapping primitives refuse as money)."""
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    return value


def _unset(payload: Any, path: str) -> None:
    """Remove a field: absent is not the same as null for the payload schemas."""
    _, segments = parse(path)
    target = payload
    for seg in segments[:-1]:
        target = target[seg]
    del target[segments[-1]]


def _part(case: Case, file: str, pick: str | None) -> Any:
    payload = loads((case.file.parent / file).read_bytes())
    if pick:
        payload = compile_path(pick)(payload, payload)
        if payload is MISSING:
            raise ValueError(f"{case.id}: pick {pick} finds nothing in {file}")
    return copy.deepcopy(payload)


def build_input(case: Case) -> Any:
    spec = case.spec["input"]
    if "file" in spec:
        payload = _part(case, spec["file"], spec.get("pick"))
    else:
        payload = _as_json(copy.deepcopy(spec["payload"]))
        if "pick" in spec:
            payload = _part_of(case, payload, spec["pick"])
    # What a pull stream adds to a record from a second request (Orders v0: getOrderItems per order).
    for path, source in (spec.get("attach") or {}).items():
        _set(payload, path, _part(case, source["file"], source.get("pick")))
    for path, value in (spec.get("set") or {}).items():
        _set(payload, path, _as_json(value))
    for path in spec.get("unset") or []:
        _unset(payload, path)
    return payload


def _part_of(case: Case, payload: Any, pick: str) -> Any:
    picked = compile_path(pick)(payload, payload)
    if picked is MISSING:
        raise ValueError(f"{case.id}: input.pick {pick} finds nothing")
    return copy.deepcopy(picked)


def received_at(spec: dict[str, Any]) -> datetime | None:
    raw = spec.get("received_at")
    if raw is None:
        return None
    moment = raw if isinstance(raw, datetime) else datetime.fromisoformat(str(raw))
    if moment.tzinfo is None:
        raise ValueError(f"input.received_at {raw!r} needs a UTC offset")
    return moment


def delivery(project: Project, case: Case) -> Delivery:
    """The case's input as intake would record it: a case routed by its content is a delivery, with the
    dedupe key and account the connector's intake computes; another is a pulled record of its mapping."""
    spec = case.spec["input"]
    payload = build_input(case)
    return as_intake_would(
        project,
        case.connector,
        payload,
        dumps(payload),
        route=None if spec.get("routed") else spec.get("route", case.mapping),
        account=spec.get("account"),
        received_at=received_at(spec),
        headers=spec.get("headers"),
    )


def run(project: Project, case: Case) -> Outcome:
    return delivery(project, case).normalize(project)


def describe(outcome: Outcome) -> dict[str, Any]:
    """The expectation a case would need to pass: what the golden file stores."""
    if isinstance(outcome, Mapped):
        return {
            "events": [
                {"type": d.event.TYPE, "key": d.data.partition_key(), "data": d.data.model_dump(mode="json")}
                for d in outcome.drafts
            ]
        }
    if isinstance(outcome, Quarantined):
        return {"quarantine": outcome.reason}
    return {"ignore": outcome.reason}


def check(project: Project, case: Case) -> list[str]:
    """Differences between the expectation and what the mapping produces now; empty means pass."""
    expect = case.spec.get("expect") or {}
    try:
        actual = describe(run(project, case))
    except ValueError as exc:
        return [f"the case's input is broken: {exc}"]
    if "quarantine" in expect or "ignore" in expect:
        kind = "quarantine" if "quarantine" in expect else "ignore"
        if kind not in actual:
            return [f"expected {kind} ({expect[kind]}), got {json.dumps(actual, default=str)[:400]}"]
        if str(expect[kind]) not in actual[kind]:
            return [f"expected {kind} reason containing {expect[kind]!r}, got {actual[kind]!r}"]
        return []
    if "events" not in actual:
        return [f"expected events, got {actual}"]
    return _diff_events(expect.get("events", []), actual["events"])


def _diff_events(expected: list[dict[str, Any]], actual: list[dict[str, Any]]) -> list[str]:
    problems = []
    if len(expected) != len(actual):
        problems.append(f"expected {len(expected)} event(s), got {len(actual)}")
    for i, (want, got) in enumerate(zip(expected, actual, strict=False)):
        for field in ("type", "key"):
            if want.get(field) != got[field]:
                problems.append(f"event {i}: {field} {got[field]!r} != expected {want.get(field)!r}")
        want_data, got_data = want.get("data", {}), got["data"]
        for name in sorted(set(want_data) | set(got_data)):
            if want_data.get(name, MISSING) != got_data.get(name, MISSING):
                problems.append(
                    f"event {i}: data.{name} = {json.dumps(got_data.get(name), default=str)} "
                    f"(expected {json.dumps(want_data.get(name), default=str)})"
                )
    return problems


def update(project: Project, file: Path) -> bool:
    """Rewrite a golden file's expectations from the current output; True if anything changed. The file
    is edited in place through a round-trip YAML parser: comments, order and quoting elsewhere stay."""
    text = file.read_text()
    cases = (yaml.safe_load(text) or {}).get("cases", [])
    connector, mapping = file.parent.parent.name, file.stem
    changed: dict[int, dict[str, Any]] = {}
    for index, spec in enumerate(cases):
        try:
            actual = describe(run(project, Case(connector, mapping, file, index, spec)))
        except ValueError:
            continue  # left as it is: `hub test` reports the broken input
        if spec.get("expect") != actual:
            changed[index] = actual
    if not changed:
        return False
    editor = YAML()  # round-trip mode
    editor.width = 110
    editor.preserve_quotes = True
    editor.representer.add_representer(type(None), _null)  # `null`, as the files write it, not blank
    document = editor.load(text)
    for index, actual in changed.items():
        document["cases"][index]["expect"] = actual
    with file.open("w") as out:
        editor.dump(document, out)
    return True


def _null(representer: Any, _value: None) -> Any:
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")
