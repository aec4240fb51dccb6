"""The sandbox checks what the marketplaces check: TikTok's sign and timestamp, Walmart's headers,
Amazon's access token; and answers in their shapes (rate header, ErrorList, Walmart's nextCursor)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from hub.api.signing import signature
from hub.credentials import Secret
from hub.sandbox.tiktok import SIGNING
from tests.support.sandbox import SandboxServer


def _tiktok_token(sandbox: SandboxServer) -> str:
    answer = httpx.get(
        f"{sandbox.url}/tiktok/api/v2/token/refresh",
        params={
            "app_key": "sandbox-tiktok-app-key",
            "app_secret": "sandbox-tiktok-app-secret",
            "refresh_token": "TTP_sandbox-tiktok-refresh-token",
            "grant_type": "refresh_token",
        },
    ).json()
    assert answer["code"] == 0 and answer["data"]["access_token_expire_in"] > time.time()
    return str(answer["data"]["access_token"])


def test_tiktok_sign_and_timestamp_are_checked(sandbox: SandboxServer) -> None:
    token = _tiktok_token(sandbox)
    path = "/tiktok/order/202309/orders/search"
    query = {"app_key": "sandbox-tiktok-app-key", "timestamp": str(int(time.time())), "page_size": "10"}
    body = b'{"update_time_ge":0}'
    good = signature(
        SIGNING, {"app_secret": Secret("sandbox-tiktok-app-secret", "X")}, path=path, query=query, body=body
    )
    headers = {"x-tts-access-token": token, "content-type": "application/json"}

    ok = httpx.post(f"{sandbox.url}{path}", params={**query, "sign": good}, content=body, headers=headers)
    assert ok.status_code == 200 and ok.json()["code"] == 0
    tampered = httpx.post(
        f"{sandbox.url}{path}",
        params={**query, "sign": good},
        content=b'{"update_time_ge":1}',
        headers=headers,
    )
    assert tampered.status_code == 401 and tampered.json()["message"] == "invalid sign"
    stale = {**query, "timestamp": str(int(time.time()) - 600)}
    old = signature(
        SIGNING, {"app_secret": Secret("sandbox-tiktok-app-secret", "X")}, path=path, query=stale, body=body
    )
    late = httpx.post(f"{sandbox.url}{path}", params={**stale, "sign": old}, content=body, headers=headers)
    assert late.status_code == 401 and "timestamp" in late.json()["message"]


def test_walmart_needs_its_headers_and_pages_with_a_ready_made_query(sandbox: SandboxServer) -> None:
    sandbox.seed("walmart", 3)
    headers = {
        "WM_QOS.CORRELATION_ID": "c1",
        "WM_SVC.NAME": "Walmart Marketplace",
        "Accept": "application/json",
    }
    token = httpx.post(
        f"{sandbox.url}/walmart/v3/token",
        auth=("sandbox-walmart-client-id", "sandbox-walmart-client-secret"),
        data={"grant_type": "client_credentials"},
        headers=headers,
    ).json()
    assert token["expires_in"] == 900 and token["token_type"] == "Bearer"
    bare = httpx.get(
        f"{sandbox.url}/walmart/v3/orders", headers={"WM_SEC.ACCESS_TOKEN": token["access_token"]}
    )
    assert bare.status_code == 400
    page = httpx.get(
        f"{sandbox.url}/walmart/v3/orders",
        params={"limit": "2"},
        headers={**headers, "WM_SEC.ACCESS_TOKEN": token["access_token"]},
    ).json()
    cursor = page["list"]["meta"]["nextCursor"]
    assert cursor.startswith("?") and len(page["list"]["elements"]["order"]) == 2
    rest = httpx.get(
        f"{sandbox.url}/walmart/v3/orders{cursor}",
        headers={**headers, "WM_SEC.ACCESS_TOKEN": token["access_token"]},
    )
    assert (
        len(rest.json()["list"]["elements"]["order"]) == 1 and "nextCursor" not in rest.json()["list"]["meta"]
    )


def test_amazon_checks_its_token_and_tells_its_rate(sandbox: SandboxServer) -> None:
    refused = httpx.get(
        f"{sandbox.url}/amazon/orders/v0/orders",
        headers={"x-amz-access-token": "Atza|nope"},
        params={"MarketplaceIds": "ATVPDKIKX0DER", "CreatedAfter": "2020-01-01T00:00:00Z"},
    )
    assert refused.status_code == 403 and refused.json()["errors"][0]["code"] == "Unauthorized"
    token = httpx.post(
        f"{sandbox.url}/amazon/auth/o2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": "Atzr|sandbox-amazon-refresh-token",
            "client_id": "amzn1.application-oa2-client.sandbox",
            "client_secret": "sandbox-amazon-lwa-client-secret",
        },
    ).json()
    assert token["expires_in"] == 3600 and token["token_type"] == "bearer"
    answer = httpx.get(
        f"{sandbox.url}/amazon/orders/v0/orders",
        headers={"x-amz-access-token": token["access_token"]},
        params={"MarketplaceIds": "ATVPDKIKX0DER", "CreatedAfter": "2020-01-01T00:00:00Z"},
    )
    assert answer.status_code == 200 and answer.headers["x-amzn-RateLimit-Limit"] == "0.0167"
    assert answer.json()["payload"]["Orders"] == []
    missing = httpx.get(
        f"{sandbox.url}/amazon/orders/v0/orders", headers={"x-amz-access-token": token["access_token"]}
    )
    assert missing.status_code == 400 and "errors" in missing.json()


def test_the_orchestrator_entry_point_pulls_every_account(home: Path, sandbox: SandboxServer) -> None:
    from hub.config import Settings
    from hub.connectors.schedules import StreamPlan, connector_plans
    from hub.pull.jobs import pull
    from tests.support.hubproc import hub_env

    sandbox.seed("walmart", 7)
    settings = Settings.from_env(hub_env(home, **sandbox.env()))
    plans = {p.name: p for p in connector_plans(settings.project)}
    assert plans["walmart"].streams == (StreamPlan("walmart", "orders", "*/10 * * * *"),)
    assert plans["amazon"].pushes_inventory and "ship_lines" in plans["tiktok"].actions
    assert pull(settings, "walmart", "orders") == 7
    assert pull(settings, "walmart", "orders") == 0  # the same orders again: duplicates
