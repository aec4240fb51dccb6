"""Processes a long-running verb starts beside itself (the Dagster UI, the marketplace sandbox).

Each runs in a process group of its own: a Ctrl-C in the terminal reaches only the hub, which stops its
children itself, in order, and can tell a child that ended on its own from one it stopped. The group's
leader (child_leader.py) starts the real program and stays: on Linux it learns when the hub dies
(PR_SET_PDEATHSIG) and takes the whole group down, so a killed hub leaves no child behind, nor a child's
own children.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

_LEADER = Path(__file__).with_name("child_leader.py")
# How long the program may take to stop on the hub's death before its group is killed.
ORPHAN_GRACE_S = 10.0


def start(
    args: Sequence[str], *, env: Mapping[str, str], output: IO[bytes], on_hub_death: signal.Signals
) -> subprocess.Popen[bytes]:
    """`python ARGS...` in a new session, its output into `output`; `on_hub_death` reaches it if the hub
    dies first."""
    return subprocess.Popen(
        [sys.executable, str(_LEADER), str(int(on_hub_death)), str(ORPHAN_GRACE_S), *args],
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(process: subprocess.Popen[bytes], sig: signal.Signals, grace_s: float) -> bool:
    """Send `sig` to the child's whole group, then SIGKILL to whatever is left after `grace_s` (children
    of the child may outlive it by a moment). True when the child ended within the grace period."""
    _signal_group(process.pid, sig)
    try:
        process.wait(grace_s)
        ended = True
    except subprocess.TimeoutExpired:
        ended = False
    _signal_group(process.pid, signal.SIGKILL)
    process.wait()
    return ended


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):  # the group is gone already
        os.killpg(pgid, sig)
