"""`hub up --sandbox`: the sandbox in a child process, and every bundled connector pointed at it unless
a real credential for it is in the environment."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import httpx

from hub import children
from hub.api.accounts import auth_secrets
from hub.config import Settings
from hub.project import Project
from hub.sandbox.config import SandboxSpec, hub_environment, load_specs
from hub.supervisor import Part

# The sandbox's server gives requests in flight one second; then it is killed.
STOP_GRACE_S = 2.0

log = logging.getLogger("hub.up")


@dataclass(frozen=True)
class Choice:
    connector: str
    real: bool
    where: str
    kept: bool = True  # False: the sandbox does not emulate it and its own secrets are unset


def _unset(project: Project, name: str, environ: Mapping[str, str]) -> str | None:
    """The secret variables a connector needs that `environ` does not set, named; None when all are."""
    from hub.credentials import MissingSecret, resolve

    connector = project.connectors[name]
    try:
        resolve(connector.secret_refs(), environ, owner=name, optional=connector.optional_secrets())
    except MissingSecret as exc:
        return str(exc).removeprefix("missing secret environment variable(s): ")
    return None


def _api_variables(project: Project, name: str) -> list[str]:
    spec = project.connectors[name].spec
    if spec.api is None:
        return []
    names = auth_secrets(spec.api.auth) + ([spec.api.signing.secret] if spec.api.signing else [])
    return [spec.secrets[n].variables()[0] for n in names if n in spec.secrets]


def choose(
    project: Project, specs: Mapping[str, SandboxSpec], environ: Mapping[str, str], url: str
) -> tuple[dict[str, str], list[Choice]]:
    """The environment the hub runs with, and per connector whether it talks to the real marketplace (every
    API credential set, none of them the sandbox's value) or to the sandbox."""
    env = dict(environ)
    pointed = hub_environment(dict(specs), url)
    choices = []
    for name in sorted(project.connectors):
        spec = specs.get(name)
        variables = _api_variables(project, name)
        real = bool(variables) and all(
            environ.get(v) and (spec is None or environ.get(v) != spec.credentials.get(v)) for v in variables
        )
        if spec is None and (unset := _unset(project, name, environ)) is not None:
            # Not a marketplace the sandbox emulates (the merchant's own web shop): its secret is the
            # merchant's to set, never a demo value the hub makes up.
            choices.append(Choice(name, False, f"left out, not emulated and {unset} unset", kept=False))
            continue
        if real or spec is None:
            base = project.connectors[name].spec.api
            choices.append(Choice(name, True, "real marketplace" if base else "no API"))
            continue
        env.update(pointed[name])
        choices.append(Choice(name, False, f"sandbox {url}/{name}"))
    return env, choices


class SandboxProcess:
    """`hub sandbox` as a child process of `hub up` (hub/children.py), watched by a part of `hub up`: a
    sandbox that dies on its own stops the hub. It is stopped (SIGTERM) once the hub's parts have stopped,
    so a pull or fetch finishing its page never finds its marketplace gone."""

    def __init__(
        self, project_root: Path, port: int, webhook_url: str, *, orders: int, every_s: float, log_file: Path
    ) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.specs = load_specs(project_root)
        self._log = log_file.open("ab")
        self.process = children.start(
            [
                "-m",
                "hub",
                "sandbox",
                "--port",
                str(port),
                "--webhook-url",
                webhook_url,
                "--orders",
                str(orders),
                "--every",
                str(every_s),
            ],
            env={**os.environ, "HUB_PROJECT": str(project_root)},
            output=self._log,
            on_hub_death=signal.SIGTERM,
        )

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the sandbox exited {self.process.returncode}; see {self._log.name}")
            try:
                if httpx.get(f"{self.url}/_sandbox/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"the sandbox did not answer on {self.url}")

    def watch(self, stop: threading.Event) -> None:
        """The supervised part: returns on `stop`; fails (stopping the hub) if the sandbox exits first."""
        while not stop.wait(0.2):
            if self.process.poll() is not None:
                raise RuntimeError(f"the sandbox exited {self.process.returncode}; see {self._log.name}")

    def stop(self) -> None:
        if self.process.poll() is None and not children.stop(self.process, signal.SIGTERM, STOP_GRACE_S):
            log.warning("the sandbox did not stop within %.0f s of SIGTERM; killed it", STOP_GRACE_S)
        self._log.close()


def up_with_sandbox(
    settings: Settings,
    *,
    host: str,
    port: int,
    ui: tuple[str, int] | None,
    sandbox_port: int,
    orders: int,
    every_s: float,
) -> int:
    """`hub up` with the sandbox beside it, as one more supervised part; returns the exit code."""
    from hub.up import serve
    from hub.wiring import load_project

    project = load_project(settings)
    url = f"http://127.0.0.1:{sandbox_port}"
    env, choices = choose(project, load_specs(settings.project), settings.environ, url)
    env.setdefault("HUB_PULL_EVERY", "15s")
    settings.ensure_home()
    log_file = settings.home / "sandbox.log"
    lines = [f"hub up --sandbox: marketplace sandbox on {url} (its log: {log_file})"]
    for choice in choices:
        where = choice.where.upper() if choice.real and choice.where != "no API" else choice.where
        lines.append(f"  {choice.connector:<10} {where}")
    for line in lines:
        print(line, file=sys.stderr, flush=True)
    sandbox = SandboxProcess(
        settings.project,
        sandbox_port,
        f"http://{host}:{port}",
        orders=orders,
        every_s=every_s,
        log_file=log_file,
    )
    try:
        sandbox.wait_ready()
        part = Part("sandbox", sandbox.watch)
        kept = tuple(c.connector for c in choices if c.kept)
        everyone = len(kept) == len(choices)
        only = settings.connectors if everyone else kept
        return serve(
            replace(settings, environ=env, connectors=only),
            host=host,
            port=port,
            with_workers=True,
            ui=ui,
            beside=[part],
            loaded=project if everyone else None,  # the same connectors: not compiled a second time
        )
    finally:
        sandbox.stop()
