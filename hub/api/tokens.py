"""Access tokens: fetched from the token endpoint by one worker (the one holding the store lease) and
shared with every worker and process through the store; refreshed before expiry and on refusal."""

from __future__ import annotations

import base64
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from hub.api.accounts import Account
from hub.api.errors import ApiError, redact
from hub.api.templates import Values, render_strings
from hub.connectors.api_spec import OAuth2ClientCredentials, OAuth2RefreshToken
from hub.mapping.paths import MISSING, compile_path
from hub.store import Store
from hub.store.tokens import Tokens

log = logging.getLogger(__name__)

LEASE_S = 30.0
WAIT_STEP_S = 0.05

TokenAuth = OAuth2RefreshToken | OAuth2ClientCredentials


@dataclass(frozen=True, slots=True)
class Token:
    value: str
    generation: int
    expires_at: float


class TokenSource:
    def __init__(self, store: Store, account: Account, auth: TokenAuth, http: httpx.Client) -> None:
        self.store, self.account, self.auth, self.http = store, account, auth, http
        self.owner = f"{uuid.uuid4().hex[:12]}"
        self._cached: Token | None = None
        self._lock = threading.Lock()
        self.refreshes = 0  # token endpoint calls made by this source

    def _fresh(self, token: Token | None) -> bool:
        return token is not None and token.expires_at - self.auth.refresh_margin_s > time.time()

    def get(self) -> Token:
        cached = self._cached
        if self._fresh(cached):
            return cached  # type: ignore[return-value]
        with self._lock:  # threads of this process wait here; other processes wait on the lease
            return self._shared()

    def refused(self, token: Token) -> None:
        """The marketplace answered that `token` expired: drop it (once, for everyone)."""
        with self.store.unit_of_work() as uow:
            uow.get(Tokens).refused(self.account.connector, self.account.name, token.generation)
            uow.commit()
        if self._cached is not None and self._cached.generation == token.generation:
            self._cached = None

    def _shared(self) -> Token:
        c, a = self.account.connector, self.account.name
        deadline = time.monotonic() + LEASE_S * 2
        while True:
            with self.store.unit_of_work() as uow:
                row = uow.get(Tokens).read(c, a)
                if row is not None and row.token is not None and row.expires_at is not None:
                    token = Token(row.token, row.generation, row.expires_at)
                    if self._fresh(token):
                        self._cached = token
                        return token
                claimed = uow.get(Tokens).claim(c, a, self.owner, time.time(), LEASE_S)
                uow.commit()
            if claimed:
                return self._refresh()
            if time.monotonic() > deadline:
                raise ApiError(f"{c} account {a}: timed out waiting for another worker's token refresh")
            time.sleep(WAIT_STEP_S)

    def _refresh(self) -> Token:
        c, a = self.account.connector, self.account.name
        try:
            value, expires_at = self._request()
        except BaseException:
            with self.store.unit_of_work() as uow:
                uow.get(Tokens).release(c, a, self.owner)
                uow.commit()
            raise
        with self.store.unit_of_work() as uow:
            uow.get(Tokens).put(c, a, self.owner, value, expires_at)
            row = uow.get(Tokens).read(c, a)
            uow.commit()
        generation = row.generation if row is not None else 0
        self.refreshes += 1
        log.info("%s account %s: access token refreshed (valid %.0f s)", c, a, expires_at - time.time())
        self._cached = Token(value, generation, expires_at)
        return self._cached

    def _request(self) -> tuple[str, float]:
        auth, account = self.auth, self.account
        secrets = account.secrets
        url = account.setting(auth.token_url, "token_url")
        params: dict[str, str] = {"grant_type": auth.grant_type}
        if isinstance(auth, OAuth2RefreshToken):
            params[auth.refresh_token_param] = secrets[auth.refresh_token].reveal()
        headers = render_strings(auth.token_headers, Values(vars=account.vars, secrets=secrets))
        client_id, client_secret = secrets[auth.client_id].reveal(), secrets[auth.client_secret].reveal()
        if auth.client_auth == "basic":
            pair = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
            headers["Authorization"] = f"Basic {pair}"
        else:
            params[auth.client_id_param] = client_id
            params[auth.client_secret_param] = client_secret
        try:
            if auth.method == "GET" or auth.client_auth == "query":
                response = self.http.request(auth.method, url, params=params, headers=headers)
            else:
                response = self.http.request(auth.method, url, data=params, headers=headers)
        except httpx.HTTPError as exc:
            raise ApiError(f"{account.connector} token endpoint unreachable: {type(exc).__name__}") from None
        return self._answer(response)

    def _answer(self, response: httpx.Response) -> tuple[str, float]:
        c = self.account.connector
        where = f"{c} account {self.account.name}: token endpoint"
        if response.status_code != 200:
            raise ApiError(
                f"{where} answered HTTP {response.status_code}: {redact(response.text[:200], self.account)}",
                status=response.status_code,
            )
        try:
            body: Any = response.json()
        except ValueError:
            raise ApiError(f"{where} answered no JSON") from None
        answer = self.auth.answer
        value = compile_path(answer.access_token)(body, body)
        if value is MISSING or not isinstance(value, str) or not value:
            raise ApiError(
                f"{where} answered without {answer.access_token}: {redact(response.text[:200], self.account)}"
            )
        if answer.expires_at:
            at = compile_path(answer.expires_at)(body, body)
            expires_at = float(at) if isinstance(at, int | float) else time.time() + 3600
        else:
            seconds = compile_path(answer.expires_in)(body, body) if answer.expires_in else MISSING
            expires_at = time.time() + (float(seconds) if isinstance(seconds, int | float) else 3600)
        return value, expires_at
