"""The two servers under load, each a subprocess on a loopback port, optionally pinned to CPUs."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def pinned(argv: Sequence[str], cpus: str | None) -> list[str]:
    """taskset keeps the server and the load generator off each other's cores."""
    return ["taskset", "-c", cpus, *argv] if cpus else list(argv)


class Server:
    def __init__(
        self, name: str, argv: Sequence[str], env: Mapping[str, str], cwd: Path, log: Path, cpus: str | None
    ) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.argv = pinned([*argv, "--port", str(self.port)], cpus)
        self.env, self.cwd, self.log = dict(env), cwd, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> Server:
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                self.argv, env=self.env, cwd=self.cwd, stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited {self.process.returncode}; see {self.log}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as answer:
                    if answer.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} did not become healthy in {timeout} s; see {self.log}")

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM: uvicorn answers what is in flight and the committer drains its queue."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def cpu_split() -> tuple[str | None, str | None]:
    """(server CPUs, load generator CPUs): one core each when there are at least two, else no pinning."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return None, None
    return str(cpus[-1]), ",".join(str(c) for c in cpus[:-1])
