"""Follow-up fetches of thin notifications: each queued key fetched through the declared operation
under the account's rate budget, its records mapped with the declared route; the queue row is removed in
the transaction that stores them. A failing fetch is retried with backoff, then the notification is
quarantined with the reason."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from datetime import UTC, datetime

import httpx
from tenacity import RetryCallState
from tenacity.wait import wait_random_exponential

from hub.api.accounts import Account, AccountOff, resolve_accounts
from hub.api.client import ApiClient, render_call
from hub.api.errors import ApiError
from hub.api.templates import TemplateError, Values
from hub.intake.delivery import Delivery
from hub.intake.identity import Identity
from hub.intake.service import IntakeService
from hub.jsonio import dumps_exact, loads
from hub.project import Project
from hub.pull.records import page_shape, records_of
from hub.store.fetches import Fetches, FetchRow

log = logging.getLogger(__name__)

LEASE_S = 120.0
# Between attempts of one fetch: exponential with full jitter, the same policy as every API call.
_BACKOFF = wait_random_exponential(multiplier=2, max=300)


def _backoff_s(attempt: int) -> float:
    state = RetryCallState(retry_object=None, fn=None, args=(), kwargs={})  # type: ignore[arg-type]
    state.attempt_number = attempt
    return float(_BACKOFF(state))


class FetchWorker:
    def __init__(self, intake: IntakeService, environ: Mapping[str, str], *, batch: int = 20) -> None:
        self.intake, self.store = intake, intake.store
        self.environ, self.batch = environ, batch
        self._clients: dict[tuple[str, str], ApiClient] = {}
        self._http = httpx.Client(timeout=30)

    @property
    def project(self) -> Project:
        """The intake's: a mapping reload under `hub up` swaps it for the fetches too."""
        return self.intake.project

    def _account(self, connector: str, account_id: str | None) -> Account:
        found = resolve_accounts(self.project.connector(connector).spec, self.environ)
        on = [a for a in found if isinstance(a, Account)]
        chosen = next((a for a in on if a.id == account_id), None) or next(iter(on), None)
        if chosen is None:
            reasons = "; ".join(a.reason for a in found if isinstance(a, AccountOff))
            raise ApiError(f"{connector}: no API account to fetch with ({reasons or 'none declared'})")
        return chosen

    def _client(self, account: Account) -> ApiClient:
        key = (account.connector, account.name)
        if key not in self._clients:
            self._clients[key] = ApiClient(self.store, account, http=self._http)
        return self._clients[key]

    def run_once(self) -> int:
        with self.store.read_only() as uow:  # idle polls take no write lock
            if not uow.get(Fetches).due(time.time()):
                return 0
        with self.store.unit_of_work() as uow:
            rows = uow.get(Fetches).claim(time.time(), LEASE_S, self.batch)
            uow.commit()
        for row in rows:
            self._fetch(row)
        return len(rows)

    def run(self, stop: threading.Event, idle_s: float = 0.5) -> None:
        while not stop.is_set():
            try:
                done = self.run_once()
            except Exception:
                log.exception("fetch worker")
                done = 0
            if not done:
                stop.wait(idle_s)
        self._http.close()

    def _fetch(self, row: FetchRow) -> None:
        spec = self.project.connector(row.connector).spec.enrich[row.route]
        try:
            account = self._account(row.connector, row.account)
            call = render_call(
                spec.operation,
                spec.request,
                Values(args={"key": row.key}, vars=account.vars, secrets=account.secrets),
            )
            answer = loads(self._client(account).send(call).content)
            shape = page_shape(self.project.connector(row.connector).spec, spec.shape, spec.route)
            records = records_of(answer, shape.records)
            if not records:
                raise ApiError(f"{row.connector} {spec.operation} returned no record for {row.key}")
        except (ApiError, TemplateError, ValueError) as exc:
            self._failed(row, str(exc))
            return
        identity = Identity.compile(row.connector, lambda p: p, spec.dedupe, None)
        deliveries = []
        for record in records:
            body = dumps_exact(record)
            key, _ = identity.of(record, body)
            deliveries.append(
                Delivery(
                    row.connector,
                    body,
                    record,
                    key,
                    datetime.now(UTC),
                    account=row.account or account.id,
                    route=shape.route,
                    traceparent=None,
                )
            )
        self.intake.accept(deliveries, also=lambda uow: uow.get(Fetches).done(row))

    def _failed(self, row: FetchRow, reason: str) -> None:
        spec = self.project.connector(row.connector).spec.enrich[row.route]
        with self.store.unit_of_work() as uow:
            if row.attempts >= spec.max_attempts:
                message = f"fetch of {row.key} by {spec.operation} failed {row.attempts} time(s): {reason}"
                uow.get(Fetches).quarantine_notification(row, message, datetime.now(UTC))
                log.warning("%s: %s; notification quarantined", row.connector, message)
            else:
                uow.get(Fetches).retry_later(row, reason, time.time() + _backoff_s(row.attempts))
            uow.commit()
