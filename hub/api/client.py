"""One marketplace account's API, as declared: every call takes its turn in the operation's rate
budget, carries the account's auth (and signature), and is retried with backoff on 429, 5xx and network
errors (tenacity); an expired token is refreshed once and the call sent again."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_random_exponential

from hub.api.accounts import Account
from hub.api.errors import ApiError, Retryable, redact
from hub.api.signing import signature
from hub.api.templates import Values, render, render_strings
from hub.api.tokens import Token, TokenSource
from hub.connectors.api_spec import (
    ApiKeyAuth,
    BearerAuth,
    OAuth2ClientCredentials,
    OAuth2RefreshToken,
    Operation,
)
from hub.mapping.paths import MISSING, compile_path
from hub.store import Store
from hub.store.buckets import Buckets

log = logging.getLogger(__name__)

OnWait = Callable[[float], None]


@dataclass(frozen=True, slots=True)
class Call:
    operation: str
    path_params: Mapping[str, Any]
    query: Mapping[str, str]
    body: Any = None
    url: str | None = None  # a whole URL (a Link header's, a ready-made query string's)
    headers: Mapping[str, str] | None = None


class ApiClient:
    def __init__(
        self,
        store: Store,
        account: Account,
        *,
        http: httpx.Client | None = None,
        rate_limits: bool = True,
        on_wait: OnWait | None = None,
    ) -> None:
        self.store, self.account, self.api = store, account, account.api
        self.http = http or httpx.Client(timeout=self.api.timeout_s)
        self.rate_limits = rate_limits
        self.on_wait = on_wait
        auth = self.api.auth
        self.tokens = (
            TokenSource(store, account, auth, self.http)
            if isinstance(auth, OAuth2RefreshToken | OAuth2ClientCredentials)
            else None
        )
        self.values = Values(vars=account.vars, secrets=account.secrets)

    def url(self, call: Call) -> str:
        op = self.api.operations[call.operation]
        path = op.path.format(**{k: quote(str(v), safe="") for k, v in call.path_params.items()})
        return self.account.base_url + path

    def send(self, call: Call) -> httpx.Response:
        """The call's answer (2xx), or ApiError after the last attempt, naming the operation."""
        retry = self.api.retry
        attempts = Retrying(
            stop=stop_after_attempt(retry.attempts),
            wait=_wait(retry.max_wait_s),
            retry=retry_if_exception_type(Retryable),
            reraise=True,
            before_sleep=self._report_sleep,
        )
        try:
            for attempt in attempts:
                with attempt:
                    return self._attempt(call)
        except Retryable as exc:
            raise ApiError(
                f"{self._where(call)} failed after {retry.attempts} attempt(s): {exc}", status=exc.status
            ) from None
        raise AssertionError("unreachable")

    def _report_sleep(self, state: RetryCallState) -> None:
        if self.on_wait is not None and state.next_action is not None:
            self.on_wait(state.next_action.sleep)

    def _where(self, call: Call) -> str:
        return f"{self.account.connector} {call.operation} (account {self.account.name})"

    def _attempt(self, call: Call) -> httpx.Response:
        op = self.api.operations[call.operation]
        self._take_turn(call.operation)
        token = self.tokens.get() if self.tokens is not None else None
        response = self._request(call, op, token)
        if token is not None and self._expired(response):
            assert self.tokens is not None
            self.tokens.refused(token)
            token = self.tokens.get()
            response = self._request(call, op, token)
        return self._check(call, op, response, token)

    def _take_turn(self, operation: str) -> None:
        limit = self.account.rate_limit(operation)
        if not self.rate_limits or limit is None:
            return
        key = (self.account.connector, self.account.name, operation)
        with self.store.unit_of_work() as uow:
            wait = uow.get(Buckets).reserve(*key, limit.rps, limit.burst, time.time())
            uow.commit()
        if wait > 0:
            if self.on_wait is not None:
                self.on_wait(wait)
            time.sleep(wait)

    def _request(self, call: Call, op: Operation, token: Token | None) -> httpx.Response:
        headers = render_strings({**self.api.headers, **op.headers}, self.values)
        headers.update(call.headers or {})
        query = dict(call.query)
        auth = self.api.auth
        if token is not None and isinstance(auth, OAuth2RefreshToken | OAuth2ClientCredentials):
            headers[auth.header] = auth.prefix + token.value
        elif isinstance(auth, BearerAuth):
            headers[auth.header] = auth.prefix + self.account.secrets[auth.secret].reveal()
        elif isinstance(auth, ApiKeyAuth):
            key = self.account.secrets[auth.secret].reveal()
            if auth.query:
                query[auth.query] = key
            elif auth.header:
                headers[auth.header] = key
        content = b"" if call.body is None else json.dumps(call.body, separators=(",", ":")).encode()
        if call.body is not None:
            headers.setdefault("Content-Type", "application/json")
        url = call.url or self.url(call)
        request = self.http.build_request(
            op.method, url, params=query or None, headers=headers, content=content
        )
        signing = self.api.signing
        if signing is not None:
            added = render_strings(signing.add_query, self.values)
            params = {**dict(request.url.params), **added}
            digest = signature(
                signing, self.account.secrets, path=request.url.path, query=params, body=content
            )
            if signing.query:
                params[signing.query] = digest
            request = self.http.build_request(
                op.method, request.url.copy_with(query=None), params=params, headers=headers, content=content
            )
            if signing.header:
                request.headers[signing.header] = digest
        try:
            return self.http.send(request)
        except httpx.HTTPError as exc:
            raise Retryable(f"network error: {type(exc).__name__}") from None

    def _expired(self, response: httpx.Response) -> bool:
        auth = self.api.auth
        if not isinstance(auth, OAuth2RefreshToken | OAuth2ClientCredentials):
            return False
        rule = auth.expired
        if response.status_code not in rule.status:
            return False
        if rule.field is None:
            return True
        value = _field(response, rule.field)
        return value in rule.values or str(value) in {str(v) for v in rule.values}

    def _check(
        self, call: Call, op: Operation, response: httpx.Response, token: Token | None
    ) -> httpx.Response:
        limit = self.account.rate_limit(call.operation)
        status = response.status_code
        if limit is not None and limit.limit_header and self.rate_limits:
            told = response.headers.get(limit.limit_header)
            if told:
                self._adjust(call.operation, told)
        if status == 429 or status >= 500:
            if status == 429 and limit is not None and self.rate_limits:
                with self.store.unit_of_work() as uow:
                    uow.get(Buckets).drain(
                        self.account.connector, self.account.name, call.operation, time.time()
                    )
                    uow.commit()
            raise Retryable(f"HTTP {status}", status=status, retry_after=_retry_after(response))
        if status >= 400:
            raise ApiError(
                f"{self._where(call)}: HTTP {status}: {self._excerpt(response, token)}", status=status
            )
        if op.ok_when is not None:
            value = _field(response, op.ok_when.field)
            if value not in op.ok_when.values:
                said = _field(response, op.ok_when.message) if op.ok_when.message else None
                raise ApiError(
                    f"{self._where(call)}: answered {op.ok_when.field}={value!r} ({said})", status=status
                )
        return response

    def _adjust(self, operation: str, told: str) -> None:
        try:
            rps = float(told)
        except ValueError:
            return
        if rps > 0:
            with self.store.unit_of_work() as uow:
                uow.get(Buckets).set_rate(self.account.connector, self.account.name, operation, rps)
                uow.commit()

    def _excerpt(self, response: httpx.Response, token: Token | None) -> str:
        text = redact(response.text[:300], self.account)
        return text.replace(token.value, "***") if token is not None else text


def _field(response: httpx.Response, path: str) -> Any:
    try:
        body = response.json()
    except ValueError:
        return None
    value = compile_path(path)(body, body)
    return None if value is MISSING else value


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _wait(max_wait_s: float) -> Callable[[RetryCallState], float]:
    """Retry-After when the marketplace gives one, else exponential backoff with full jitter."""
    jitter = wait_random_exponential(multiplier=0.5, max=max_wait_s)

    def wait(state: RetryCallState) -> float:
        outcome = state.outcome
        exc = outcome.exception() if outcome is not None else None
        if isinstance(exc, ApiError) and exc.retry_after is not None:
            return min(exc.retry_after, max_wait_s)
        return float(jitter(state))

    return wait


def render_call(operation: str, request: Any, values: Values, **extra_query: str) -> Call:
    """A Call from a stream's, fetch's or action's declared request."""
    query = render_strings(request.query, values)
    query.update(extra_query)
    return Call(operation, render(request.path_params, values), query, render(request.body, values))
