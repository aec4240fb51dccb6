"""One contract, two checkout variants: orchestrated and choreographed sagas must end the same way for
the same checkout, against the sandbox PSP over HTTP and a real store."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from hub.broker.port import Broker
from hub.commerce.checkout.request import CheckoutRequest
from hub.commerce.checkout.settings import CheckoutSettings
from hub.commerce.orders import show_order
from hub.domain.saga import Status
from hub.store import Store
from hub.store.sagas import SagaRow
from tests.contract.stacks import embedded_broker, sqlite_store
from tests.domain.checkout_support import (
    Choreography,
    active_reservations,
    on_hand,
    orchestrated,
    request,
    saga_of,
    settings,
    stocked,
)
from tests.support.psp import PspServer, running_psp


@pytest.fixture(scope="module")
def psp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PspServer]:
    with running_psp(tmp_path_factory.mktemp("psp")) as server:
        yield server


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = sqlite_store(tmp_path)
    stocked(s, MUG=5, POT=1)
    yield s
    s.dispose()


class CheckoutContract:
    variant: str

    def run(self, store: Store, config: CheckoutSettings, req: CheckoutRequest) -> SagaRow:
        raise NotImplementedError

    def test_a_checkout_completes(self, store: Store, psp: PspServer) -> None:
        row = self.run(store, settings(psp.url, self.variant), request(MUG=2, POT=1))
        assert row.saga.status is Status.COMPLETED and row.saga.variant == self.variant
        [payment] = psp.payments(row.saga.saga_id)
        assert payment["status"] == "authorized" and payment["amount"] == "37.50"
        assert active_reservations(store, row.saga.saga_id) == []  # consumed by the order
        order = show_order(store, "webshop", row.order_id)
        assert order is not None and order["state"] == "placed"
        assert [(x["sku"], x["quantity"]) for x in order["lines"]] == [("MUG", 2), ("POT", 1)]
        assert (on_hand(store, "MUG"), on_hand(store, "POT")) == (3, 0)  # the sale took them

    def test_a_declined_payment_compensates_with_nothing_to_undo(self, store: Store, psp: PspServer) -> None:
        req = request("declined-" + self.variant, MUG=1)
        psp.tell(req.checkout_id or "", "fail")
        row = self.run(store, settings(psp.url, self.variant), req)
        assert row.saga.status is Status.COMPENSATED and "payment declined" in (row.saga.reason or "")
        assert psp.payments(row.saga.saga_id) == []
        assert active_reservations(store, row.saga.saga_id) == [] and on_hand(store, "MUG") == 5

    def test_out_of_stock_voids_the_authorization(self, store: Store, psp: PspServer) -> None:
        row = self.run(store, settings(psp.url, self.variant), request(MUG=9))
        assert row.saga.status is Status.COMPENSATED and "out of stock" in (row.saga.reason or "")
        assert [p["status"] for p in psp.payments(row.saga.saga_id)] == ["voided"]
        assert show_order(store, "webshop", row.order_id) is None and on_hand(store, "MUG") == 5

    def test_a_lost_answer_is_asked_again_under_the_same_key(self, store: Store, psp: PspServer) -> None:
        req = request("lost-" + self.variant, MUG=1)
        psp.tell(req.checkout_id or "", "drop", seconds=2)  # authorized, the answer never arrives
        row = self.run(store, settings(psp.url, self.variant), req)
        assert row.saga.status is Status.COMPLETED
        assert [p["status"] for p in psp.payments(row.saga.saga_id)] == ["authorized"]  # one, not two

    def test_the_same_checkout_asked_twice_is_one_saga(self, store: Store, psp: PspServer) -> None:
        req = request("twice-" + self.variant, MUG=1)
        first = self.run(store, settings(psp.url, self.variant), req)
        second = self.run(store, settings(psp.url, self.variant), req)
        assert first.saga.saga_id == second.saga.saga_id and second.saga.status is Status.COMPLETED
        assert len(psp.payments(first.saga.saga_id)) == 1 and on_hand(store, "MUG") == 4

    def test_a_hanging_psp_times_the_checkout_out(self, store: Store, psp: PspServer) -> None:
        req = request("hang-" + self.variant, MUG=1)
        psp.tell(req.checkout_id or "", "hang", seconds=3)
        config = settings(psp.url, self.variant, time_limit=timedelta(seconds=2))
        result: list[SagaRow] = []
        worker = threading.Thread(target=lambda: result.append(self.run(store, config, req)))
        worker.start()
        deadline = time.monotonic() + 30
        while saga_status(store, req) is not Status.COMPENSATING and time.monotonic() < deadline:
            time.sleep(0.1)
        psp.tell(req.checkout_id or "", "ok")  # the PSP answers again: the compensation can void
        worker.join(60)
        [row] = result
        assert row.saga.status is Status.COMPENSATED and "not done by" in (row.saga.reason or "")
        assert [p["status"] for p in psp.payments(row.saga.saga_id)] in ([], ["voided"])
        assert active_reservations(store, row.saga.saga_id) == [] and on_hand(store, "MUG") == 5


def saga_status(store: Store, req: CheckoutRequest) -> Status | None:
    try:
        return saga_of(store, req.checkout_id or "").saga.status
    except AssertionError:
        return None


class TestOrchestrated(CheckoutContract):
    variant = "orchestrated"

    def run(self, store: Store, config: CheckoutSettings, req: CheckoutRequest) -> SagaRow:
        return orchestrated(store, config).checkout(req)


class TestChoreographed(CheckoutContract):
    variant = "choreographed"

    @pytest.fixture(autouse=True)
    def _broker(self, tmp_path: Path) -> Iterator[None]:
        self.broker: Broker = embedded_broker(tmp_path)
        yield
        self.broker.close()

    def run(self, store: Store, config: CheckoutSettings, req: CheckoutRequest) -> SagaRow:
        return Choreography(store, self.broker, config).checkout(req)
