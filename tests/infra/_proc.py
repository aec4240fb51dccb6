"""Process helpers shared by the launchers."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEPLOY_DIR = REPO_ROOT / "deploy"


def group_alive(pgid: int) -> bool:
    """True while a process of group ``pgid`` is still running or still tearing down.

    A dead process that is only an unreaped zombie counts as gone: a broker or postmaster orphaned by its
    launcher script is reparented to PID 1, which on these machines reaps only every few seconds, so
    ``kill(pid, 0)`` would keep reporting a dead server as alive. A zombie *thread-group leader* whose
    other threads still run (a JVM just after SIGKILL) still holds its sockets and files, so it counts.
    """
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces, so split after the last ')'.
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) < 3 or int(fields[2]) != pgid:
            continue
        if fields[0] != "Z" or _thread_count(entry.name) > 1:
            return True
    return False


def _thread_count(pid: str) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return 0


def kill_group(pgid: int, timeout: float = 10.0) -> None:
    """SIGKILL process group ``pgid`` and wait until none of its members is alive."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        return
    wait_group_gone(pgid, timeout)


def wait_group_gone(pgid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while group_alive(pgid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def run_script(
    args: Sequence[str | os.PathLike[str]],
    *,
    what: str,
    timeout: float,
    env: Mapping[str, str] | None = None,
    log_file: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a deploy script; on failure raise RuntimeError with its output and the tail of ``log_file``."""
    full_env = {**os.environ, **(env or {})}
    try:
        proc = subprocess.run(
            [str(a) for a in args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=full_env,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"{what}: timed out after {timeout:.0f}s{_log_tail_section(log_file)}") from exc
    if proc.returncode != 0:
        raise RuntimeError(
            f"{what}: exit code {proc.returncode}\n"
            f"--- stdout ---\n{proc.stdout}--- stderr ---\n{proc.stderr}"
            f"{_log_tail_section(log_file, already_in=proc.stderr)}"
        )
    return proc


def tail(path: Path, lines: int = 40) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError as exc:
        return f"(cannot read {path}: {exc})\n"


def _log_tail_section(log_file: Path | None, already_in: str = "") -> str:
    if log_file is None:
        return ""
    text = tail(log_file)
    # The deploy scripts print the same tail on failure; say so instead of repeating 40 lines.
    if text.strip() and text.strip() in already_in:
        return f"\n--- last 40 lines of {log_file}: as in stderr above ---\n"
    return f"\n--- last 40 lines of {log_file} ---\n{text}"
