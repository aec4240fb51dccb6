"""The leader of a child's process group (hub.children): run as a script, it starts the real program and
stays, so the whole group can be taken down when the hub dies.

    python child_leader.py ON_HUB_DEATH GRACE_S ARGS...

It runs `python ARGS...` with SIGINT at its default (a process started from a script may inherit it
ignored). The hub stops a child by signalling its group, which reaches the program directly; the leader
ignores those signals, waits for the program and exits as it did. When the hub dies (on Linux the kernel
tells the leader: PR_SET_PDEATHSIG), the leader sends ON_HUB_DEATH to the group and SIGKILL to whatever
is left once the program has ended or GRACE_S has passed: a program that stops without its own children
(`dagster dev` interrupted while it starts) leaves nothing behind.

Imports nothing from the hub: it runs as a file, before and apart from the hub's packages.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from types import FrameType

_HUB_DIED = signal.SIGUSR1


def main(argv: list[str]) -> None:
    on_hub_death, grace_s, args = signal.Signals(int(argv[0])), float(argv[1]), argv[2:]
    hub = os.getppid()
    program = os.fork()
    if program == 0:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.execv(sys.executable, [sys.executable, *args])
    orphaned = threading.Event()

    def hub_died(_signum: int, _frame: FrameType | None) -> None:
        if not orphaned.is_set():
            orphaned.set()
            os.killpg(0, on_hub_death)
            signal.signal(signal.SIGALRM, lambda *_: os.killpg(0, signal.SIGKILL))
            signal.alarm(max(1, round(grace_s)))

    for stopping in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(stopping, signal.SIG_IGN)  # meant for the program, which gets them too
    signal.signal(_HUB_DIED, hub_died)
    if sys.platform == "linux":
        import ctypes

        ctypes.CDLL(None).prctl(1, int(_HUB_DIED))  # PR_SET_PDEATHSIG
    if os.getppid() != hub:  # the hub died before the kernel was asked to tell
        hub_died(int(_HUB_DIED), None)
    _, status = os.waitpid(program, 0)
    if orphaned.is_set():
        os.killpg(0, signal.SIGKILL)  # the program's own children, if it left any
    if os.WIFSIGNALED(status):  # ended the same way, so the hub reads the same status
        ended_by = os.WTERMSIG(status)
        if ended_by != signal.SIGKILL:  # SIGKILL's disposition cannot be set, nor needs to be
            signal.signal(ended_by, signal.SIG_DFL)
        os.kill(os.getpid(), ended_by)
    sys.exit(os.waitstatus_to_exitcode(status))


if __name__ == "__main__":
    main(sys.argv[1:])
