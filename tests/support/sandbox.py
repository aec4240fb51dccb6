"""The marketplace sandbox (`hub sandbox`) as a real server on a loopback port, with its admin API."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

from hub.sandbox.config import hub_environment, load_specs
from tests.infra.ports import free_port
from tests.support.paths import REPO


class SandboxServer:
    def __init__(
        self,
        log_file: Path,
        project: Path = REPO,
        webhook_url: str | None = None,
        extra: tuple[str, ...] = (),
    ) -> None:
        self.extra = extra
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.project, self.log_file, self.webhook_url = project, log_file, webhook_url
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30) -> SandboxServer:
        self._log = self.log_file.open("wb")
        command = [
            sys.executable,
            "-m",
            "hub",
            "sandbox",
            "--port",
            str(self.port),
            "--orders",
            "0",
            "--every",
            "0",
        ]
        if self.webhook_url:
            command += ["--webhook-url", self.webhook_url]
        command += list(self.extra)
        env = {**os.environ, "HUB_PROJECT": str(self.project)}
        self.process = subprocess.Popen(
            command, stdout=self._log, stderr=subprocess.STDOUT, env=env, start_new_session=True, cwd=REPO
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"hub sandbox exited: {self.log_file.read_text()}")
            try:
                if httpx.get(f"{self.url}/_sandbox/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"hub sandbox did not answer: {self.log_file.read_text()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log.close()

    # --- the hub's side ---------------------------------------------------------------------------
    def env(self) -> dict[str, str]:
        """Every bundled connector's credentials and settings pointed at this sandbox."""
        merged: dict[str, str] = {}
        for values in hub_environment(load_specs(self.project), self.url).values():
            merged.update(values)
        return merged

    def credentials(self) -> list[str]:
        return [
            v for spec in load_specs(self.project).values() for v in spec.credentials.values() if len(v) > 6
        ]

    # --- admin API --------------------------------------------------------------------------------
    def admin(self, path: str, body: dict[str, Any] | None = None) -> Any:
        url = f"{self.url}/_sandbox/{path}"
        response = httpx.post(url, json=body, timeout=30) if body is not None else httpx.get(url, timeout=30)
        response.raise_for_status()
        return response.json()

    def seed(self, marketplace: str, count: int, **extra: Any) -> list[str]:
        return list(self.admin("orders", {"marketplace": marketplace, "count": count, **extra})["orders"])

    def requests(self) -> list[dict[str, Any]]:
        return list(self.admin("requests")["requests"])

    def pushed(self) -> list[dict[str, Any]]:
        return list(self.admin("pushed")["pushed"])

    def tokens(self) -> dict[str, Any]:
        return dict(self.admin("tokens"))


def project_copy(root: Path, edit: dict[str, Any] | None = None) -> Path:
    """The repository's connectors and mappings in a folder of their own; `edit` maps
    "connector:dotted.path" to a value set in that connector.yaml (lists of keys create dicts)."""
    for folder in ("connectors", "mappings"):
        shutil.copytree(REPO / folder, root / folder)
    for target, value in (edit or {}).items():
        connector, path = target.split(":", 1)
        file = root / "connectors" / connector / "connector.yaml"
        doc = yaml.safe_load(file.read_text())
        node = doc
        keys = path.split(".")
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = value
        file.write_text(yaml.safe_dump(doc, sort_keys=False))
    return root
