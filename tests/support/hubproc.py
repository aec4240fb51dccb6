"""Drive the real `hub` command: one-shot verbs, and `hub up` as a server on a loopback port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import httpx

from tests.infra.ports import free_port
from tests.support.paths import REPO
from tests.support.secrets import BUNDLED_SECRETS


def hub_env(home: Path, project: Path = REPO, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update(BUNDLED_SECRETS)
    env.update({"HUB_HOME": str(home), "HUB_PROJECT": str(project), "PYTHONUNBUFFERED": "1"})
    # Short relay leases: a test that kills a relay sees the others (or the next `relay --once`) take over
    # within seconds instead of the default 10 s.
    env["HUB_RELAY_LEASE_TTL"] = "2s"
    # `hub up` without the Dagster UI: tests/dagster/ starts and checks it on its own.
    env["HUB_NO_UI"] = "1"
    env.update(extra)
    return env


class HubCli:
    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = dict(env)

    def run(
        self, *args: str, check: bool = True, timeout: float = 120, **extra_env: str
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "hub", *args],
            env={**self.env, **extra_env},
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"hub {' '.join(args)} exited {result.returncode}\n"
                f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
            )
        return result


class PortTaken(RuntimeError):
    pass


class HubServer:
    """`hub up` (or `hub receiver`) in its own process group, stopped with SIGTERM like a service manager."""

    def __init__(
        self,
        env: Mapping[str, str],
        verb: str = "up",
        log_file: Path | None = None,
        args: tuple[str, ...] = (),
    ) -> None:
        self.env = dict(env)
        self.verb = verb
        self.args = args
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_file = log_file or Path(env["HUB_HOME"]) / f"hub-{verb}-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60, attempts: int = 3) -> HubServer:
        try:
            return self._start(timeout)
        except PortTaken:
            # Another process on this machine took the free port between our pick and the bind.
            if attempts <= 1:
                raise
            self._log.close()
            self.port = free_port()
            self.url = f"http://127.0.0.1:{self.port}"
            self.log_file = self.log_file.with_name(f"hub-{self.verb}-{self.port}.log")
            return self.start(timeout, attempts - 1)

    def _start(self, timeout: float) -> HubServer:
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_file.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hub", self.verb, "--port", str(self.port), *self.args],
            env=self.env,
            cwd=REPO,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                if "address already in use" in self.output():
                    raise PortTaken(self.port)
                raise RuntimeError(f"hub {self.verb} exited {self.process.returncode}:\n{self.output()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"hub {self.verb} did not become healthy:\n{self.output()}")

    def output(self) -> str:
        return self.log_file.read_text(errors="replace") if self.log_file.exists() else ""

    def stop(self, timeout: float = 20) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log.close()
        return self.process.returncode

    def __enter__(self) -> HubServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def wait_for(condition, timeout: float = 30, interval: float = 0.1, message: str = "condition"):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {message}")
        time.sleep(interval)
