"""The load generator: vegeta, a native (Go) HTTP load tool, driven from a file of pre-signed requests.

Closed loop (fixed concurrency, rate=0) measures throughput at saturation; open loop (a constant rate)
measures latency at a given load without coordinated omission: a slow answer does not delay the next send.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from servers import pinned

INSTALL = "go install github.com/tsenart/vegeta/v12@latest   (then put $(go env GOPATH)/bin on PATH)"


def find() -> str:
    found = shutil.which("vegeta")
    if found is None:
        gopath = Path.home() / "go" / "bin" / "vegeta"
        if gopath.exists():
            return str(gopath)
        raise SystemExit(
            f"bench/receiver.py needs vegeta, which is not on PATH. Install it with:\n  {INSTALL}"
        )
    return found


@dataclass(frozen=True)
class Figures:
    requests: int
    ok: int  # answered 200
    seconds: float  # from the first send to the last answer
    throughput: float  # 200 answers per second
    p50_ms: float
    p99_ms: float
    errors: tuple[str, ...]


def attack(
    vegeta: str,
    targets: Path,
    results: Path,
    *,
    rate: int,
    duration_s: float,
    connections: int,
    cpus: str | None,
) -> Figures:
    """rate=0: `connections` workers each send the next request as soon as the last is answered, until
    the targets file runs out or the duration ends. rate>0: that many requests per second."""
    argv = [
        vegeta,
        "attack",
        "-format=json",
        f"-targets={targets}",
        "-lazy",  # read the file as it goes and stop at its end: no request is ever sent twice
        f"-duration={duration_s}s",
        "-timeout=30s",
        f"-output={results}",
    ]
    if rate:
        argv += [f"-rate={rate}/1s", f"-workers={connections}"]
    else:
        argv += ["-rate=0", f"-workers={connections}", f"-max-workers={connections}"]
    subprocess.run(pinned(argv, cpus), check=True)
    report = json.loads(
        subprocess.run([vegeta, "report", "-type=json", str(results)], check=True, capture_output=True).stdout
    )
    latencies = report["latencies"]
    seconds = (report["duration"] + report["wait"]) / 1e9
    ok = int(report["status_codes"].get("200", 0))
    return Figures(
        requests=int(report["requests"]),
        ok=ok,
        seconds=seconds,
        throughput=ok / seconds if seconds else 0.0,
        p50_ms=latencies["50th"] / 1e6,
        p99_ms=latencies["99th"] / 1e6,
        errors=tuple(report.get("errors") or ()),
    )
