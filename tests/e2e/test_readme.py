"""The README, followed literally: every fenced block tagged `test=SECTION` runs, as written, in a copy of
the repository. The blocks are read from README.md itself, so the docs and this test cannot drift apart.

- A block whose opening fence reads `sh test=setup` is the prelude of every section (`hub` on PATH).
- The other tags are sections, run in the order they first appear, each in a fresh `bash -euo pipefail`;
  a section added later by anyone is run too, and must succeed.
- A block with `file=NAME` is written to NAME in the copy before anything runs.
- The only change made to the text: the well-known ports (8080, 5432, 9092, 9093) become free ones, so the
  test runs beside anything else on the machine; `HUB_PORT` tells `hub up` the receiver's, and
  `HUB_UI_PORT` and `HUB_SANDBOX_PORT` give the Dagster UI and the sandbox, which `./scripts/up` starts as
  it would for a reader, free ones too.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.infra import free_ports
from tests.support.paths import REPO
from tests.support.secrets import BUNDLED_SECRETS

pytestmark = pytest.mark.slow

FENCE = re.compile(r"^```(?P<lang>[\w-]*)(?P<attrs>[^\n]*)\n(?P<body>.*?)^```[ \t]*$", re.M | re.S)
PORTS = ("8080", "5432", "9092", "9093")
SECTION_TIMEOUT_S = 600

# What a section's output must show, beyond its exit code 0: a text, or a pattern to search for.
EXPECT: dict[str, list[str | re.Pattern[str]]] = {
    "quickstart": [
        '{"status":"accepted","inbox_id":',  # the sample notification, stored; its order is fetched
        "OrderPlaced",
        "tiktok:576486316948490001",
        "amazon:",  # the sandbox's orders, pulled
        "walmart:",
        "Dagster UI: http://127.0.0.1:",
        "hub up: stopped on SIGTERM",
    ],
    "checkout": [  # over HTTP and from the command line, each paid at the sandbox PSP
        re.compile(r"saga_id:\s+web-1001\n.*\nstatus:\s+completed"),
    ],
    "own-group": [  # the quick start's order events, however many the sandbox gave: each applied once
        "latest-order-event",
        re.compile(r"read ([1-9]\d*) record\(s\): \1 applied, 0 skipped as already applied"),
        re.compile(r"read ([1-9]\d*) record\(s\): 0 applied, \1 skipped as already applied"),
        "applying every event again",
    ],
    "postgres": ["is at the newest schema", '"status":"accepted"', "hub up: stopped on SIGTERM"],
    "kafka": ['"status":"accepted"', "OrderPlaced", "audit", "left consumer group audit"],
}


@dataclass
class Block:
    lang: str
    attrs: dict[str, str]
    body: str


@dataclass
class Readme:
    prelude: list[str] = field(default_factory=list)
    sections: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)


def blocks(text: str) -> Iterator[Block]:
    for match in FENCE.finditer(text):
        attrs = dict(a.split("=", 1) for a in match["attrs"].split() if "=" in a)
        yield Block(match["lang"], attrs, match["body"])


def parse(text: str) -> Readme:
    readme = Readme()
    for block in blocks(text):
        if "file" in block.attrs:
            readme.files[block.attrs["file"]] = block.body
        tag = block.attrs.get("test")
        if tag == "setup":
            readme.prelude.append(block.body)
        elif tag:
            readme.sections.setdefault(tag, []).append(block.body)
    return readme


def test_the_readme_tags_the_sections_this_test_expects() -> None:
    readme = parse((REPO / "README.md").read_text())
    assert readme.prelude and 'export PATH="$PWD/.venv/bin:$PATH"' in readme.prelude[0]
    assert set(EXPECT) <= set(readme.sections), sorted(readme.sections)
    assert list(readme.sections)[:1] == ["quickstart"]
    assert "my_groups.py" in readme.files


def copy_of_repo() -> Path:
    """The tracked files, in a folder PostgreSQL's user may reach; `.venv` is the repository's own."""
    target = Path(tempfile.mkdtemp(prefix="hub-readme-", dir="/tmp"))
    os.chmod(target, 0o755)
    tracked = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (n.decode() for n in tracked)):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    (target / ".venv").symlink_to(REPO / ".venv")
    # `scripts/setup` in the copy must find the venv installed for this pyproject.toml: were it to install,
    # the editable install would point at the copy, which is deleted afterwards.
    digest = hashlib.sha256((REPO / "pyproject.toml").read_bytes()).hexdigest()[:16]
    assert (REPO / ".venv" / f".installed-{digest}").exists(), "run scripts/setup first"
    return target


def servers_started(before: set[Path]) -> list[Path]:
    now = set(Path("/tmp").glob("hub-pg-*")) | set(Path("/tmp").glob("hub-kafka-*"))
    return sorted(now - before)


def stop_leftovers(dirs: list[Path]) -> None:
    """A section that failed half-way may leave its server running: stop what it started."""
    for folder in dirs:
        kind = "postgres" if folder.name.startswith("hub-pg-") else "kafka"
        marker = folder / ("data/postmaster.pid" if kind == "postgres" else "kafka.pid")
        if marker.exists():
            subprocess.run(
                [str(REPO / "deploy" / kind / "stop.sh"), str(folder)], capture_output=True, timeout=90
            )
        shutil.rmtree(folder, ignore_errors=True)


def run_section(workdir: Path, script: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    process = subprocess.Popen(
        ["bash", "-c", script],
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        out, _ = process.communicate(timeout=SECTION_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, _ = process.communicate()
    finally:
        # Whatever the section left in the background (a `hub up` it did not stop) ends with it.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    return subprocess.CompletedProcess(process.args, process.returncode, out, "")


def test_every_tagged_readme_section_runs_as_written() -> None:
    readme = parse((REPO / "README.md").read_text())
    workdir = copy_of_repo()
    before = set(Path("/tmp").glob("hub-pg-*")) | set(Path("/tmp").glob("hub-kafka-*"))
    *free, ui_port, sandbox_port = map(str, free_ports(len(PORTS) + 2))
    ports = dict(zip(PORTS, free, strict=True))
    secrets = set(BUNDLED_SECRETS) | {"TIKTOK_APP_KEY", "TIKTOK_APP_SECRET", "WALMART_CLIENT_SECRET"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_") and k not in secrets}
    env["HUB_PORT"] = ports["8080"]
    env["HUB_UI_PORT"], env["HUB_SANDBOX_PORT"] = ui_port, sandbox_port
    try:
        for name, body in readme.files.items():
            (workdir / name).write_text(body)
        for section, bodies in readme.sections.items():
            script = "\n".join(["set -euo pipefail", *readme.prelude, *bodies])
            for well_known, free in ports.items():
                script = re.sub(rf"\b{well_known}\b", free, script)
            result = run_section(workdir, script, env)
            assert result.returncode == 0, f"README section {section!r} failed:\n{result.stdout[-6000:]}"
            for expected in EXPECT.get(section, []):
                found = (
                    expected.search(result.stdout)
                    if isinstance(expected, re.Pattern)
                    else expected in result.stdout
                )
                assert found, f"README section {section!r}: no {expected!r} in\n{result.stdout}"
            assert "Traceback" not in result.stdout, result.stdout
    finally:
        stop_leftovers(servers_started(before))
        shutil.rmtree(workdir, ignore_errors=True)
