"""The mapping benchmark's workload: the bundled samples as the golden cases that expect events pick them,
as the payload bytes a marketplace would send (numbers stay JSON numbers, exact)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from hub.golden import build_input, load_cases, received_at

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Payload:
    case: str  # connector/mapping::name
    connector: str
    mapping: str  # the mapping the case is about (routing cases: the one the router picks)
    route: str | None  # None: routed by its content, as a webhook is
    account: str | None
    received_at: datetime | None
    body: bytes
    headers: dict[str, str] | None = None  # a live delivery's request headers
    root: Path = REPO  # the project the case belongs to


def encode(value: Any) -> str:
    """JSON text with exact decimals written as JSON numbers (json.dumps would refuse Decimal, and
    hub.jsonio.dumps writes them as strings)."""
    if isinstance(value, Decimal):
        return format(value, "f") if value.is_finite() else json.dumps(str(value))
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{encode(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(encode(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def payloads(*roots: Path) -> list[Payload]:
    out = []
    for root, case in ((r, c) for r in roots or (REPO,) for c in load_cases(r)):
        expect = case.spec.get("expect") or {}
        if "events" not in expect:
            continue
        spec = case.spec["input"]
        route = None if spec.get("routed") else spec.get("route", case.mapping)
        out.append(
            Payload(
                case.id,
                case.connector,
                case.mapping,
                route,
                spec.get("account"),
                received_at(spec),
                encode(build_input(case)).encode(),
                spec.get("headers"),
                root,
            )
        )
    return out
