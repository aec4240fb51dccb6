"""The sandbox payment provider (hub/sandbox/psp.py) in a process of its own on a loopback port."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.infra.ports import free_port
from tests.support.hubproc import wait_for


class PspServer:
    def __init__(self, log_file: Path, ttl_s: float = 7 * 86400) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_file = log_file
        self.ttl_s = ttl_s
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> PspServer:
        self._log = self.log_file.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hub.sandbox.psp", "--port", str(self.port), "--ttl", str(self.ttl_s)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        wait_for(self._up, timeout=60, message=f"the sandbox PSP on {self.url}")
        return self

    def _up(self) -> bool:
        try:
            return httpx.get(f"{self.url}/_sandbox/psp", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def state(self) -> dict[str, Any]:
        body: dict[str, Any] = httpx.get(f"{self.url}/_sandbox/psp", timeout=10).json()
        return body

    def payments(self, reference: str) -> list[dict[str, Any]]:
        """The authorizations made for one saga (its reference), with their status."""
        return [p for p in self.state()["payments"] if p["reference"] == reference]

    def tell(self, reference: str, outcome: str, seconds: float = 30, **extra: Any) -> None:
        body = {"reference": reference, "outcome": outcome, "seconds": seconds, **extra}
        httpx.post(f"{self.url}/_sandbox/psp", json=body, timeout=10).raise_for_status()

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self._log.close()


@contextmanager
def running_psp(folder: Path) -> Iterator[PspServer]:
    server = PspServer(folder / "psp.log").start()
    try:
        yield server
    finally:
        server.stop()
