"""What every emulated API call goes through: auth, injected faults, the rate limit, the request log."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from hub.sandbox.state import Logged, State

Authenticate = Callable[[Request], Awaitable[str | Response]]
Handler = Callable[[str], Awaitable[Response]]


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


async def serve(
    state: State,
    marketplace: str,
    operation: str,
    request: Request,
    authenticate: Authenticate,
    handler: Handler,
    throttled: Callable[[], Response],
) -> Response:
    """Run one API call as the marketplace would, and log it."""
    spec = state.specs[marketplace]
    account_or_error = await authenticate(request)
    injected = None
    if isinstance(account_or_error, Response):
        response, account = account_or_error, None
    else:
        account = account_or_error
        fault = state.fault(marketplace, operation)
        if fault is not None:
            injected = fault.kind
            if fault.kind == "hang":
                await asyncio.sleep(fault.retry_after or 5)
                response = json_response({"errors": [{"code": "Timeout"}]}, 504)
            elif fault.kind == "429":
                response = throttled()
                if fault.retry_after is not None:
                    response.headers["Retry-After"] = str(int(fault.retry_after))
            else:
                response = json_response({"errors": [{"code": "InternalFailure"}]}, int(fault.kind))
        elif not state.admit(marketplace, account, operation):
            response = throttled()
            if spec.retry_after:
                response.headers["Retry-After"] = "1"
            state.record(Logged(time.time(), marketplace, operation, account, 429, throttled=True))
            return response
        else:
            response = await handler(account)
            limit = state.limits.get(marketplace, {}).get(operation)
            if spec.rate_header and limit is not None and response.status_code < 500:
                response.headers[spec.rate_header] = f"{limit.rps:g}"
    state.record(
        Logged(time.time(), marketplace, operation, account, response.status_code, injected=injected)
    )
    return response


def page_token(offset: int, fingerprint: str) -> str:
    raw = json.dumps({"o": offset, "f": fingerprint}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def read_page_token(token: str, fingerprint: str) -> int | None:
    """The offset a token names, or None when it is not one of ours or was issued for other filters."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        return int(raw["o"]) if raw.get("f") == fingerprint else None
    except (ValueError, KeyError, TypeError):
        return None


def iso(moment: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(moment)) + f".{int(moment * 1000) % 1000:03d}Z"


def parse_iso(value: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


async def form(request: Request) -> dict[str, str]:
    """An application/x-www-form-urlencoded body (the token endpoints')."""
    from urllib.parse import parse_qsl

    return dict(parse_qsl((await request.body()).decode(errors="replace")))


def load_json(path: Path) -> dict[str, Any]:
    value = json.loads(path.read_text())
    assert isinstance(value, dict), path
    return value
