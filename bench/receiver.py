"""Receiver benchmark: accepted webhooks per second through `hub receiver` (durable commit on SQLite)
next to a bare FastAPI endpoint under the same uvicorn settings, measured in the same run.

    .venv/bin/python bench/receiver.py [--connections 64] [--duration 10] [--rate 1000] [--rounds 3]

Both servers get the same distinct, correctly signed TikTok webhooks from vegeta (see bench/README.md):
at saturation (fixed concurrency) and at a constant rate. The ratios receiver/bare are the figure. After
the run, every 200 the receiver answered must be an inbox row in its store, or the run says so and fails.
This is a benchmark, not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sqlite3
import statistics
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import vegeta
from bodies import REPO, SECRETS, signed_requests, write_targets
from servers import Server, cpu_split

# Headroom for the targets file of a saturation run: it must not run out before the duration ends (the
# bare endpoint answers over 9,000 req/s on a quiet 2-vCPU machine).
MAX_RATE = 12000


@dataclass
class Run:
    """One phase against one server: the load generator's figures, the server's CPU time, and the
    share of the machine's CPUs that processes other than the server and vegeta used meanwhile."""

    figures: vegeta.Figures
    cpu_s: float
    others: float

    @property
    def cpu_us_per_request(self) -> float:
        return 1e6 * self.cpu_s / self.figures.requests if self.figures.requests else 0.0


@dataclass
class Side:
    server: Server
    saturation: list[Run] = field(default_factory=list)
    steady: list[Run] = field(default_factory=list)
    answered_200: int = 0


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, all its threads (the committer thread included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU time all processes of the machine used since boot (/proc/stat: all but idle and iowait)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def children_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--connections", type=int, default=64, help="concurrency at saturation")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measured run")
    parser.add_argument("--rate", type=int, default=1000, help="requests/s of the steady runs")
    parser.add_argument("--rounds", type=int, default=3, help="bare and receiver alternate; medians kept")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of load before measuring")
    parser.add_argument("--no-pin", action="store_true", help="do not pin servers and vegeta to CPUs")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (store, logs, results)")
    return parser.parse_args()


class Bench:
    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args, self.work = args, work
        self.vegeta = vegeta.find()
        self.server_cpus, self.load_cpus = (None, None) if args.no_pin else cpu_split()
        if self.server_cpus and shutil.which("taskset") is None:
            raise SystemExit("pinning needs taskset (Debian: apt-get install util-linux), or pass --no-pin")
        self.home = work / "hub-home"
        self.next_body = 0
        self.attacks = 0

    def start(self) -> tuple[Side, Side]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
        env.update(SECRETS)
        env.update({"HUB_HOME": str(self.home), "HUB_PROJECT": str(REPO), "HUB_CONNECTORS": "tiktok"})
        bare = Server(
            "bare",
            [sys.executable, str(REPO / "bench" / "bare_app.py")],
            env,
            REPO,
            self.work / "bare.log",
            self.server_cpus,
        )
        receiver = Server(
            "receiver",
            [sys.executable, "-m", "hub", "receiver"],
            env,
            REPO,
            self.work / "receiver.log",
            self.server_cpus,
        )
        return Side(bare.start()), Side(receiver.start())

    def bodies(self, count: int) -> list[str]:
        """The next `count` distinct signed webhooks; each server is sent the same ones."""
        requests = signed_requests(self.next_body, count)
        self.next_body += count
        return requests

    def attack(self, side: Side, requests: list[str], *, rate: int, duration: float) -> Run:
        self.attacks += 1
        name = f"{self.attacks:02d}-{side.server.name}"
        targets = write_targets(self.work / f"{name}.targets", f"{side.server.url}/webhooks/tiktok", requests)
        assert side.server.process is not None
        pid = side.server.process.pid
        before, busy, load = cpu_seconds(pid), machine_busy_seconds(), children_seconds()
        figures = vegeta.attack(
            self.vegeta,
            targets,
            self.work / f"{name}.bin",
            rate=rate,
            duration_s=duration,
            connections=self.args.connections,
            cpus=self.load_cpus,
        )
        server_s = cpu_seconds(pid) - before
        # vegeta's own report (a child too) runs after the attack; its CPU is small and counted as ours.
        others_s = machine_busy_seconds() - busy - server_s - (children_seconds() - load)
        targets.unlink()  # hundreds of MB over a long run otherwise
        side.answered_200 += figures.ok
        share = max(0.0, others_s) / (figures.seconds * len(os.sched_getaffinity(0)))
        return Run(figures, server_s, share)

    def round(self, sides: tuple[Side, Side], *, measured: bool) -> None:
        args = self.args
        duration = args.duration if measured else args.warmup
        burst = self.bodies(int(MAX_RATE * duration))
        for side in sides:
            run = self.attack(side, burst, rate=0, duration=duration)
            if measured:
                side.saturation.append(run)
        if not measured:
            return
        steady = self.bodies(int(args.rate * duration))
        for side in sides:
            side.steady.append(self.attack(side, steady, rate=args.rate, duration=duration))


def verify(home: Path, answered_200: int) -> tuple[bool, str]:
    """Every 200 is a stored delivery (duplicates would answer 200 without a row), each with its event."""
    with sqlite3.connect(home / "hub.db") as db:
        inbox = db.execute("SELECT count(*) FROM inbox").fetchone()[0]
        mapped = db.execute("SELECT count(*) FROM inbox WHERE status = 'mapped'").fetchone()[0]
        outbox = db.execute("SELECT count(*) FROM outbox").fetchone()[0]
    ok = answered_200 == inbox == mapped == outbox
    return ok, (
        f"receiver answered 200 {answered_200} times; store: {inbox} inbox rows ({mapped} mapped), "
        f"{outbox} outbox events -> {'consistent' if ok else 'MISMATCH'}"
    )


def median(runs: list[Run], pick: Callable[[Run], float]) -> float:
    return statistics.median(pick(r) for r in runs)


def report(args: argparse.Namespace, bare: Side, receiver: Side) -> None:
    rows: list[tuple[str, Callable[[Run], float], str, bool]] = [
        ("throughput (req/s)", lambda r: r.figures.throughput, "saturation", True),
        ("p50 (ms)", lambda r: r.figures.p50_ms, "saturation", False),
        ("p99 (ms)", lambda r: r.figures.p99_ms, "saturation", False),
        ("server CPU (us/req)", lambda r: r.cpu_us_per_request, "saturation", False),
        ("achieved (req/s)", lambda r: r.figures.throughput, "steady", True),
        ("p50 (ms)", lambda r: r.figures.p50_ms, "steady", False),
        ("p99 (ms)", lambda r: r.figures.p99_ms, "steady", False),
        ("server CPU (us/req)", lambda r: r.cpu_us_per_request, "steady", False),
    ]
    titles = {
        "saturation": f"saturation, {args.connections} connections",
        "steady": f"steady {args.rate} req/s",
    }
    print(f"\nmedians of {args.rounds} round(s), {args.duration:g} s each")
    print(f"{'':<34}{'bare':>10}{'receiver':>10}{'receiver/bare':>15}")
    shown = ""
    for label, pick, phase, _higher_is_better in rows:
        if phase != shown:
            print(titles[phase])
            shown = phase
        b = median(getattr(bare, phase), pick)
        r = median(getattr(receiver, phase), pick)
        ratio = f"{r / b:.2f}" if b else "-"
        print(f"  {label:<32}{b:>10.1f}{r:>10.1f}{ratio:>15}")
    sat_ratio = median(receiver.saturation, lambda r: r.figures.throughput) / median(
        bare.saturation, lambda r: r.figures.throughput
    )
    steady_p99 = median(receiver.steady, lambda r: r.figures.p99_ms)
    print(
        f"\nissue targets: receiver/bare throughput {sat_ratio:.0%} (aim >= 50%), "
        f"receiver p99 at {args.rate} req/s {steady_p99:.1f} ms (aim <= 50 ms)"
    )
    runs = bare.saturation + bare.steady + receiver.saturation + receiver.steady
    print(
        f"other processes on this machine used {statistics.median(r.others for r in runs):.0%} of its CPUs"
        " during the measured runs (median); the ratios are what to compare across machines and runs"
    )
    for side in (bare, receiver):
        for run in side.saturation + side.steady:
            bad = run.figures.requests - run.figures.ok
            if bad or run.figures.errors:
                print(f"{side.server.name}: {bad} answer(s) not 200: {', '.join(run.figures.errors[:3])}")


def main() -> int:
    args = parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-receiver-"))
    bench = Bench(args, work)
    load = Path("/proc/loadavg").read_text().split()[0]
    pinning = f"servers on CPU {bench.server_cpus}, vegeta on CPU {bench.load_cpus}"
    print(f"work folder {work}; {pinning if bench.server_cpus else 'no CPU pinning'}; load average {load}")
    if float(load) > 0.5:
        print("note: the machine is not idle; absolute figures will be low, ratios less affected")
    bare, receiver = bench.start()
    try:
        bench.round((bare, receiver), measured=False)
        for n in range(args.rounds):
            bench.round((bare, receiver), measured=True)
            sat = [f"{s.server.name} {s.saturation[-1].figures.throughput:.0f}" for s in (bare, receiver)]
            print(f"round {n + 1}: saturation req/s {', '.join(sat)}", flush=True)
    finally:
        bare.server.stop()
        receiver.server.stop()
    report(args, bare, receiver)
    ok, verdict = verify(bench.home, receiver.answered_200)
    print(verdict)
    if args.keep:
        print(f"kept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
