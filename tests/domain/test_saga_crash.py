"""The orchestrated checkout killed (SIGKILL) at each step, on SQLite and on PostgreSQL: after a restart
every saga ends COMPLETED or COMPENSATED, the PSP holds at most one authorization per saga (voided when
compensated), no reservation is left held, and the sale took its units once."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from hub.commerce.checkout.orchestrator import open_saga
from hub.commerce.orders import show_order
from hub.domain.saga import Status
from hub.store import Store
from tests.contract.stacks import postgres_store, sqlite_store
from tests.domain.checkout_support import (
    active_reservations,
    on_hand,
    orchestrated,
    request,
    saga_of,
    settings,
    stocked,
)
from tests.infra import PostgresServer
from tests.support.psp import PspServer, running_psp

HAPPY = [
    "saga:authorize:before",
    "saga:authorize:after",
    "saga:reserve:before",
    "saga:reserve:after",
    "saga:create_order:before",
    "saga:create_order:after",
]
OUT_OF_STOCK = ["saga:reserve:after", "saga:void:before", "saga:void:after", "saga:finish:before"]
LATE = ["saga:time_out:after", "saga:release:before", "saga:release:after", "saga:finish:after"]


@pytest.fixture(scope="module")
def psp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PspServer]:
    with running_psp(tmp_path_factory.mktemp("psp")) as server:
        yield server


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    if request.param == "sqlite":
        s = sqlite_store(tmp_path_factory.mktemp("crash"))
    else:
        server: PostgresServer = request.getfixturevalue("postgres")
        s = postgres_store(server)
    yield s
    s.dispose()


def _child(url: str, saga_id: str, point: str, config: dict[str, Any]) -> None:
    os.environ["HUB_FAULTS"] = point
    try:
        orchestrated(Store(url), settings(**config)).run(saga_id)
    finally:
        os._exit(0)  # reached only when the fault point was not: the parent sees exit code 0


def killed_at(store: Store, saga_id: str, point: str, **config: Any) -> None:
    """Run the saga in a forked process that SIGKILLs itself at `point`."""
    process = multiprocessing.get_context("fork").Process(
        target=_child, args=(store.url, saga_id, point, config)
    )
    process.start()
    process.join(60)
    assert process.exitcode == -signal.SIGKILL, f"{point} was not reached (exit code {process.exitcode})"


def check_ended(store: Store, psp: PspServer, saga_id: str, sku: str, stock: int, units: int) -> Status:
    row = saga_of(store, saga_id)
    payments = psp.payments(saga_id)
    assert len(payments) <= 1, payments  # never a second authorization
    assert active_reservations(store, saga_id) == []  # nothing left held
    order = show_order(store, "webshop", row.order_id)
    if row.saga.status is Status.COMPLETED:
        assert [p["status"] for p in payments] == ["authorized"]
        assert order is not None and order["state"] == "placed"
        assert on_hand(store, sku) == stock - units  # the sale took them once
    else:
        assert row.saga.status is Status.COMPENSATED
        assert all(p["status"] == "voided" for p in payments)
        assert order is None and on_hand(store, sku) == stock
    return row.saga.status


def begin(store: Store, units: int, stock: int, limit: timedelta = timedelta(seconds=60)) -> tuple[str, str]:
    sku = f"SKU-{uuid.uuid4().hex[:8]}"
    stocked(store, **{sku: stock})
    saga_id, _ = open_saga(store, request(None, **{sku: units}), "orchestrated", limit)
    return saga_id, sku


@pytest.mark.parametrize("point", HAPPY)
def test_killed_on_the_way_the_checkout_completes(store: Store, psp: PspServer, point: str) -> None:
    saga_id, sku = begin(store, units=2, stock=5)
    killed_at(store, saga_id, point, psp_url=psp.url, variant="orchestrated")
    orchestrated(store, settings(psp.url, "orchestrated")).resume()
    assert check_ended(store, psp, saga_id, sku, 5, 2) is Status.COMPLETED


@pytest.mark.parametrize("point", OUT_OF_STOCK)
def test_killed_while_compensating_it_still_compensates(store: Store, psp: PspServer, point: str) -> None:
    saga_id, sku = begin(store, units=9, stock=5)
    killed_at(store, saga_id, point, psp_url=psp.url, variant="orchestrated")
    orchestrated(store, settings(psp.url, "orchestrated")).resume()
    assert check_ended(store, psp, saga_id, sku, 5, 9) is Status.COMPENSATED


@pytest.mark.parametrize("point", LATE)
def test_down_past_its_deadline_it_releases_and_voids(store: Store, psp: PspServer, point: str) -> None:
    limit = timedelta(seconds=2)
    saga_id, sku = begin(store, units=2, stock=5, limit=limit)
    config = {"psp_url": psp.url, "variant": "orchestrated", "time_limit": limit}
    killed_at(store, saga_id, "saga:create_order:before", **config)  # reserved, then down
    assert saga_of(store, saga_id).saga.reserved
    time.sleep(max(0.0, (saga_of(store, saga_id).saga.deadline.timestamp() - time.time()) + 0.1))
    killed_at(store, saga_id, point, **config)  # the restart is killed while compensating
    orchestrated(store, settings(psp.url, "orchestrated", time_limit=limit)).resume()
    assert check_ended(store, psp, saga_id, sku, 5, 2) is Status.COMPENSATED
    assert "not done by" in (saga_of(store, saga_id).saga.reason or "")


def test_an_authorization_is_voided_before_it_would_expire(tmp_path: Path) -> None:
    """The PSP's authorizations last 3 s; with a 2 s margin the saga must be done within 1 s of it."""
    with running_psp(tmp_path) as short:
        short.tell("*", "ok", ttl_s=3)
        store = sqlite_store(tmp_path)
        saga_id, sku = begin(store, units=1, stock=5)
        config = {"psp_url": short.url, "variant": "orchestrated", "auth_margin": timedelta(seconds=2)}
        killed_at(store, saga_id, "saga:reserve:before", **config)
        row = saga_of(store, saga_id)
        assert row.saga.authorization_expires_at is not None
        assert row.saga.deadline == row.saga.authorization_expires_at - timedelta(seconds=2)
        time.sleep(max(0.0, row.saga.deadline.timestamp() - time.time()) + 0.1)
        orchestrated(store, settings(short.url, "orchestrated", auth_margin=timedelta(seconds=2))).resume()
        assert check_ended(store, short, saga_id, sku, 5, 1) is Status.COMPENSATED
        assert "before its authorization would expire" in (saga_of(store, saga_id).saga.reason or "")
        store.dispose()
