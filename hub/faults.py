"""Named fault points, armed from HUB_FAULTS, so tests can kill a process at an exact step."""

from __future__ import annotations

import os
import signal


def hit(point: str) -> None:
    armed = os.environ.get("HUB_FAULTS", "")
    if point in {p.strip() for p in armed.split(",")}:
        # A real SIGKILL: no cleanup handler runs, exactly like an OOM kill or a power cut.
        os.kill(os.getpid(), signal.SIGKILL)
