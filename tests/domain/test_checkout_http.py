"""The checkout as the web shop and a person use it: POST /checkout on `hub up` (both variants, chosen by
HUB_CHECKOUT), GET /checkout/{id}, `hub checkout` for a demo, `hub sagas ls|show`, `hub orders show`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.hubproc import HubCli, HubServer, hub_env, wait_for
from tests.support.psp import PspServer, running_psp


@pytest.fixture(scope="module")
def psp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PspServer]:
    with running_psp(tmp_path_factory.mktemp("psp")) as server:
        yield server


def checkout(server: HubServer, body: object) -> httpx.Response:
    return httpx.post(f"{server.url}/checkout", json=body, timeout=60)


def cart(units: int, checkout_id: str | None = None) -> dict[str, object]:
    body: dict[str, object] = {
        "lines": [{"sku": "MUG-BLUE", "quantity": units, "unit_price": "12.50"}],
        "currency": "EUR",
        "buyer_country": "DE",
    }
    if checkout_id:
        body["checkout_id"] = checkout_id
    return body


def test_orchestrated_checkout_over_http_and_the_cli(home: Path, psp: PspServer) -> None:
    env = hub_env(home, HUB_PSP_URL=psp.url, HUB_NO_UI="1")
    cli = HubCli(env)
    cli.run("inventory", "adjust", "MUG-BLUE", "--location", "main", "--delta", "5", "--reason", "receipt")
    with HubServer(env) as server:
        done = checkout(server, cart(2, "web-1001"))
        assert done.status_code == 201, done.text
        assert done.json()["status"] == "completed" and done.headers["location"] == "/checkout/web-1001"
        again = checkout(server, cart(2, "web-1001"))  # the shop retries: the same saga, nothing new
        assert (again.status_code, again.json()["saga_id"]) == (201, "web-1001")
        short = checkout(server, cart(9, "web-1002"))
        assert short.status_code == 409 and "out of stock" in short.json()["reason"]
        psp.tell("web-1003", "fail")
        declined = checkout(server, cart(1, "web-1003"))
        assert declined.status_code == 402 and "payment declined" in declined.json()["reason"]
        bad = checkout(server, {"lines": [{"sku": "MUG-BLUE", "quantity": 0, "unit_price": "1.0"}]})
        assert bad.status_code == 400 and {p["field"] for p in bad.json()["problems"]} == {
            "lines.0.quantity",
            "currency",
        }
        shown = httpx.get(f"{server.url}/checkout/web-1002", timeout=10).json()
        assert [s["step"] for s in shown["steps"]] == [
            "checkout",
            "authorize",
            "authorize",
            "reserve",
            "void",
            "finish",
        ]
        assert httpx.get(f"{server.url}/checkout/nope", timeout=10).status_code == 404

    assert [p["status"] for p in psp.payments("web-1001")] == ["authorized"]
    assert [p["status"] for p in psp.payments("web-1002")] == ["voided"]
    listed = cli.run("sagas", "ls").stdout
    assert all(saga in listed for saga in ("web-1001", "web-1002", "web-1003"))
    assert "compensated" in cli.run("sagas", "ls", "--status", "compensated").stdout
    text = cli.run("sagas", "show", "web-1002").stdout
    assert "out of stock" in text and "void" in text
    order = json.loads(cli.run("orders", "show", "webshop", "WS-web-1001", "--json").stdout)
    assert order["state"] == "placed" and order["lines"][0]["quantity"] == 2

    demo = cli.run("checkout", "--line", "MUG-BLUE:1:12.50", "--id", "demo-1", "--json")
    assert json.loads(demo.stdout)["status"] == "completed"
    left = json.loads(cli.run("inventory", "show", "MUG-BLUE", "--json").stdout)
    assert left["levels"][0]["on_hand"] == 2 and left["reserved"] == 0
    bad_line = cli.run("checkout", "--line", "MUG-BLUE", check=False)
    assert bad_line.returncode == 2 and "SKU:QTY:PRICE" in bad_line.stderr


def test_choreographed_checkout_over_http(home: Path, psp: PspServer) -> None:
    env = hub_env(home, HUB_PSP_URL=psp.url, HUB_NO_UI="1", HUB_CHECKOUT="choreographed")
    HubCli(env).run(
        "inventory", "adjust", "MUG-BLUE", "--location", "main", "--delta", "3", "--reason", "receipt"
    )
    with HubServer(env) as server:
        started = checkout(server, cart(2, "chor-1"))
        assert started.status_code == 202 and started.json()["variant"] == "choreographed"

        def finished() -> dict[str, object] | None:
            found: dict[str, object] = httpx.get(
                f"{server.url}{started.headers['location']}", timeout=10
            ).json()
            return found if found["status"] in ("completed", "compensated") else None

        done = wait_for(finished, timeout=60, message="the choreographed checkout to finish")
    assert done["status"] == "completed"
    assert [s["step"] for s in done["steps"]] == ["checkout", "authorize", "reserve", "create_order"]  # type: ignore[index]
    assert [p["status"] for p in psp.payments("chor-1")] == ["authorized"]
