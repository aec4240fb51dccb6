"""Mapping reload under `hub up`: edited connector and mapping files go live once they pass lint.

`watchfiles` reports changes under connectors/ and mappings/ (SIGHUP asks for a reload at once). The
new project is linted, loaded and its secrets resolved while the running version keeps serving; only then
are the project and the webhook endpoints swapped, each as one reference, so a delivery is handled
entirely by the version it started with. A file that fails lint (or a connector whose secret is unset)
leaves the running version in place, and the log says why.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import watchfiles

from hub.config import Settings
from hub.credentials import MissingSecret
from hub.intake.service import IntakeService
from hub.receiver.endpoints import WebhookEndpoint, build_endpoints
from hub.wiring import connector_secrets, load_project

log = logging.getLogger("hub.reload")

FOLDERS = ("connectors", "mappings")


def version_of(root: Path) -> str:
    """A short digest of every file under connectors/ and mappings/: which version is live."""
    digest = hashlib.sha256()
    for folder in FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


class LiveEndpoints(Mapping[str, WebhookEndpoint]):
    """The receiver's endpoints, swapped as a whole on reload."""

    def __init__(self, endpoints: dict[str, WebhookEndpoint]) -> None:
        self.current = endpoints

    def __getitem__(self, name: str) -> WebhookEndpoint:
        return self.current[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.current)

    def __len__(self) -> int:
        return len(self.current)


@dataclass
class Reloader:
    settings: Settings
    service: IntakeService
    endpoints: LiveEndpoints
    version: str
    on_secrets: Callable[[list[str]], None] = lambda _: None  # new secret values for the log scrubber

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    def reload(self, why: str = "files changed") -> bool:
        """Lint, load and swap; False (and the reason logged) when the running version stays."""
        from hub.lint import lint  # the linter compiles every mapping: only needed when files change

        with self._lock:
            root = self.settings.project
            version = version_of(root)
            if version == self.version:
                log.info("reload (%s): version %s is live already", why, version)
                return True
            _, issues = lint(root)
            if issues:
                log.warning(
                    "reload (%s): version %s fails lint with %d problem(s); version %s stays live:",
                    why,
                    version,
                    len(issues),
                    self.version,
                )
                for issue in issues:
                    log.warning("  %s", issue)
                return False
            try:
                project = load_project(self.settings)  # as at start: which connectors enrich, too
                secrets = connector_secrets(project, self.settings)
            except (MissingSecret, ValueError, KeyError) as exc:
                log.warning(
                    "reload (%s): version %s refused (%s); version %s stays live",
                    why,
                    version,
                    exc,
                    self.version,
                )
                return False
            self.on_secrets([s.reveal() for named in secrets.values() for vs in named.values() for s in vs])
            endpoints = build_endpoints(project, secrets)
            self.service.project = project
            self.endpoints.current = endpoints
            log.info(
                "reload (%s): version %s live (was %s): %d connector(s), %d mapping(s)",
                why,
                version,
                self.version,
                len(project.connectors),
                sum(len(c.mappings) for c in project.connectors.values()),
            )
            self.version = version
            return True

    def watch(self, stop: threading.Event) -> None:
        """Reload whenever files under connectors/ or mappings/ change, until `stop` is set."""
        paths = [self.settings.project / f for f in FOLDERS if (self.settings.project / f).is_dir()]
        # An editor writes a file in a few steps: wait for a quiet moment before linting.
        for _changes in watchfiles.watch(
            *paths, stop_event=stop, debounce=500, step=100, yield_on_timeout=False
        ):
            try:
                self.reload()
            except Exception as exc:  # a reload that breaks must not stop the hub
                log.error("reload failed: %s: %s; the running version stays live", type(exc).__name__, exc)
