"""A killed hub leaves nothing behind: not the child it started (hub.children), nor the child's own
children that outlive the child's stop signal, as `dagster dev` interrupted while it starts left its
webserver and daemon running."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.support.hubproc import wait_for

# The child: starts a grandchild that ignores SIGINT (it would outlive the child's own stop), writes both
# pids, then waits to be stopped.
CHILD = """
import os, subprocess, sys, time
grandchild = subprocess.Popen([sys.executable, "-c",
    "import signal, time; signal.signal(signal.SIGINT, signal.SIG_IGN); time.sleep(120)"])
open(sys.argv[1], "w").write(f"{os.getpid()} {grandchild.pid}")
time.sleep(120)
"""

# The hub: starts the child as the hub does, then waits to be killed.
HUB = """
import signal, sys, time
from hub import children
children.start(["-c", sys.argv[1], sys.argv[2]], env={}, output=open(sys.argv[3], "wb"),
               on_hub_death=signal.SIGINT)
time.sleep(120)
"""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has ended; only its parent's wait is missing


def test_a_killed_hub_takes_its_child_and_the_childs_children_down(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    hub = subprocess.Popen(
        [sys.executable, "-c", HUB, CHILD, str(pids), str(tmp_path / "child.log")], env=env
    )
    try:
        wait_for(lambda: pids.exists() and pids.read_text().count(" ") == 1, timeout=30, message="the child")
        child, grandchild = (int(p) for p in pids.read_text().split())
        assert alive(child) and alive(grandchild)
        os.kill(hub.pid, signal.SIGKILL)
        hub.wait(10)
        began = time.monotonic()
        wait_for(lambda: not alive(child), timeout=10, message="the child to stop")
        wait_for(lambda: not alive(grandchild), timeout=30, message="the grandchild to stop")
        assert time.monotonic() - began < 30
    finally:
        hub.kill()
        for pid in (int(p) for p in (pids.read_text().split() if pids.exists() else [])):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
