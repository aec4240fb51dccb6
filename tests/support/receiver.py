"""The real receiver in this process: FastAPI app, endpoints, group committer, intake service and a real
store, driven through httpx's ASGI transport on an event loop of its own (the app's lifespan included)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from functools import cache
from typing import Any

import httpx
from sqlalchemy import select

from hub.credentials import Secret, resolve
from hub.intake.committer import GroupCommitter
from hub.intake.fit import fitted
from hub.intake.service import IntakeService
from hub.project import Project
from hub.receiver.app import create_app
from hub.receiver.endpoints import build_endpoints
from hub.store import Store
from hub.store.probe import StoreProbe
from hub.store.tables import inbox, quarantine
from tests.support.paths import REPO
from tests.support.secrets import BUNDLED_SECRETS
from tests.support.signing import signed_headers


@cache
def bundled_project() -> Project:
    """The repository's connectors and mappings, loaded once per test session (loading compiles them)."""
    return Project.load(REPO, None)


Headers = Mapping[str, str | bytes] | list[tuple[str | bytes, str | bytes]]


def bundled_secrets(project: Project) -> dict[str, dict[str, list[Secret]]]:
    return {
        name: resolve(c.secret_refs(), BUNDLED_SECRETS, owner=name, optional=c.optional_secrets())
        for name, c in project.connectors.items()
    }


class InProcessReceiver:
    def __init__(self, store: Store, project: Project | None = None) -> None:
        self.store = store
        self.project = project or bundled_project()
        self.endpoints = build_endpoints(self.project, bundled_secrets(self.project))
        committer = GroupCommitter(IntakeService(self.project, store))
        self.app = create_app(self.endpoints, committer, ready=StoreProbe(store).check)
        self.loop = asyncio.new_event_loop()
        self._lifespan: AbstractAsyncContextManager[Any] | None = None
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://receiver.test"
        )

    def __enter__(self) -> InProcessReceiver:
        self._lifespan = self.app.router.lifespan_context(self.app)
        self.loop.run_until_complete(self._lifespan.__aenter__())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._lifespan is not None
        self.loop.run_until_complete(self._lifespan.__aexit__(None, None, None))
        self.loop.run_until_complete(self.client.aclose())
        self.loop.close()

    def run(self, coroutine: Any) -> Any:
        return self.loop.run_until_complete(coroutine)

    def post(self, connector: str, body: bytes, headers: Headers | None = None) -> httpx.Response:
        response: httpx.Response = self.run(
            self.client.post(f"/webhooks/{connector}", content=body, headers=headers)
        )
        return response

    def post_signed(self, connector: str, body: bytes, **extra: str) -> httpx.Response:
        headers = {**signed_headers(self.project.connector(connector), body), **extra}
        return self.post(connector, body, headers)

    def get(self, path: str) -> httpx.Response:
        response: httpx.Response = self.run(self.client.get(path))
        return response

    # -- what the store holds, read as an operator would

    def inbox_row(self, inbox_id: int) -> dict[str, Any] | None:
        with self.store.transaction() as conn:
            row = conn.execute(select(inbox).where(inbox.c.id == inbox_id)).mappings().first()
        return dict(row) if row else None

    def inbox_id_of(self, connector: str, payload: Any, body: bytes) -> int | None:
        """The inbox row a delivery of `body` deduplicates against, found by its dedupe key as the
        receiver computes it."""
        endpoint = self.endpoints[connector]
        key = fitted(endpoint.delivery(body, payload, datetime.now(UTC), None, None)).dedupe_key
        with self.store.transaction() as conn:
            found: int | None = conn.execute(
                select(inbox.c.id).where(inbox.c.connector == connector, inbox.c.dedupe_key == key)
            ).scalar_one_or_none()
        return found

    def quarantine_reason(self, inbox_id: int) -> str | None:
        with self.store.transaction() as conn:
            reason: str | None = conn.execute(
                select(quarantine.c.reason).where(quarantine.c.inbox_id == inbox_id)
            ).scalar_one_or_none()
        return reason
