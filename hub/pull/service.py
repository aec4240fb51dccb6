"""Pull streams as a service: what the CLI, `hub up` and Dagster call."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime

import httpx

from hub.api.accounts import Account, AccountOff, resolve_accounts
from hub.api.client import ApiClient
from hub.intake.service import IntakeService
from hub.project import Project
from hub.pull.lease import stream_lease
from hub.pull.records import page_shape
from hub.pull.sync import Progress, StreamSync
from hub.store import Store
from hub.store.pull_state import PullState, PullStates

log = logging.getLogger(__name__)


class PullService:
    def __init__(
        self,
        project: Project,
        store: Store,
        environ: Mapping[str, str],
        *,
        intake: IntakeService | None = None,
        rate_limits: bool = True,
    ) -> None:
        self.store, self.environ = store, environ
        self.intake = intake or IntakeService(project, store)
        self.rate_limits = rate_limits

    @property
    def project(self) -> Project:
        """The intake's: a mapping reload under `hub up` swaps it for the pulls too."""
        return self.intake.project

    def accounts(self, connector: str) -> list[Account | AccountOff]:
        return resolve_accounts(self.project.connector(connector).spec, self.environ)

    def account(self, connector: str, name: str | None) -> Account:
        found = self.accounts(connector)
        chosen = [a for a in found if name is None or a.name == name]
        if not chosen:
            raise KeyError(f"{connector} has no account {name!r}; known: {', '.join(a.name for a in found)}")
        account = chosen[0]
        if isinstance(account, AccountOff):
            raise ValueError(f"{connector} account {account.name} is off: {account.reason}")
        return account

    @contextmanager
    def client(self, account: Account, progress: Progress | None = None) -> Iterator[ApiClient]:
        with httpx.Client(timeout=account.api.timeout_s) as http:
            yield ApiClient(
                self.store,
                account,
                http=http,
                rate_limits=self.rate_limits,
                on_wait=progress.waited if progress is not None else None,
            )

    def targets(
        self, connector: str, stream: str | None = None, account: str | None = None
    ) -> list[tuple[str, Account | AccountOff]]:
        spec = self.project.connector(connector).spec
        if stream is not None and stream not in spec.streams:
            raise KeyError(
                f"{connector} has no stream {stream!r}; known: {', '.join(spec.streams) or 'none'}"
            )
        accounts = [a for a in self.accounts(connector) if account is None or a.name == account]
        if account is not None and not accounts:
            raise KeyError(f"{connector} has no account {account!r}")
        # Without --stream: the scheduled streams (a connector may offer two APIs for the same orders,
        # e.g. Amazon's Orders v0 and 2026-01-01; only the scheduled one runs unless asked for).
        names = (
            [stream] if stream else [n for n, s in spec.streams.items() if s.schedule] or list(spec.streams)
        )
        return [(s, a) for s in names for a in accounts]

    def sync(
        self,
        connector: str,
        stream: str,
        account: Account,
        since: datetime | None = None,
        progress: Progress | None = None,
        stop: threading.Event | None = None,
    ) -> Progress:
        """One sync; StreamBusy when another process is running the same stream for the same account.
        `stop` ends it between two pages (`hub up` stopping); the next sync goes on from there."""
        connector_spec = self.project.connector(connector).spec
        spec = connector_spec.streams[stream]
        shape = page_shape(connector_spec, spec.shape, spec.route)
        progress = progress or Progress()
        with (
            stream_lease(self.store, connector, stream, account.name),
            self.client(account, progress) as client,
        ):
            return StreamSync(self.intake, account, stream, spec, client, shape, progress).run(since, stop)

    def status(self) -> list[PullState]:
        with self.store.read_only() as uow:
            return uow.get(PullStates).all_states()
