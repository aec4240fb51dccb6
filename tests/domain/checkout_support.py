"""What the checkout tests share: a stocked store, the sandbox PSP, and each variant driven to its end."""

from __future__ import annotations

import contextlib
import time
from datetime import timedelta

from hub.broker.port import Broker
from hub.commerce.checkout.choreography import Participants, runners, start
from hub.commerce.checkout.orchestrator import Orchestrator
from hub.commerce.checkout.request import CheckoutRequest
from hub.commerce.checkout.settings import CheckoutSettings
from hub.commerce.inventory import adjust
from hub.domain.policy import ChannelSpec, InventoryPolicy
from hub.domain.saga import DONE
from hub.relay.relay import Relay
from hub.store import Store
from hub.store.sagas import SagaRow, Sagas
from hub.store.stock import Stock

POLICY = InventoryPolicy(
    locations=["main"],
    channels={"webshop": ChannelSpec(sells_from="main", push=False), "walmart": ChannelSpec(buffer=1)},
)


def stocked(store: Store, **units: int) -> None:
    for sku, n in units.items():
        adjust(store, POLICY, sku, "main", delta=n, reason="receipt")


def settings(psp_url: str, variant: str, **overrides: object) -> CheckoutSettings:
    base = {
        "variant": variant,
        "psp_url": psp_url,
        "psp_timeout": timedelta(seconds=1),
        "time_limit": timedelta(seconds=60),
        "auth_margin": timedelta(seconds=0),
    }
    return CheckoutSettings(**{**base, **overrides})  # type: ignore[arg-type]


def request(checkout_id: str | None = None, **units: int) -> CheckoutRequest:
    lines = [{"sku": sku, "quantity": n, "unit_price": "12.50"} for sku, n in units.items()]
    return CheckoutRequest.model_validate({"checkout_id": checkout_id, "lines": lines, "currency": "EUR"})


def saga_of(store: Store, saga_id: str) -> SagaRow:
    with store.read_only() as uow:
        row = uow.get(Sagas).get(saga_id)
    assert row is not None
    return row


def active_reservations(store: Store, saga_id: str) -> list[object]:
    with store.read_only() as uow:
        return [r for r in uow.get(Stock).reservation(saga_id) if r.state == "active"]


def on_hand(store: Store, sku: str) -> int:
    with store.read_only() as uow:
        return {lv.location: lv.on_hand for lv in uow.ledger.of_sku(sku)}.get("main", 0)


class Choreography:
    """The choreographed variant in this process: relay, the three participants and the timer, pumped
    until a saga is done."""

    def __init__(self, store: Store, broker: Broker, settings: CheckoutSettings) -> None:
        self.store = store
        self.relay = Relay(store, broker)
        self.participants = Participants(store, POLICY, settings)
        self.runners = runners(store, broker, self.participants)
        self.settings = settings

    def checkout(self, req: CheckoutRequest, timeout_s: float = 60) -> SagaRow:
        row = start(self.store, self.settings, req)
        return self.settle(row.saga.saga_id, timeout_s)

    def pump(self, only: tuple[str, ...] | None = None) -> None:
        self.relay.drain()
        for runner in self.runners:
            if only is None or runner.name in only:
                with contextlib.suppress(Exception):  # an unknown PSP outcome: tried again next pump
                    runner.drain(0.05)
        self.participants.time_out()

    def settle(self, saga_id: str, timeout_s: float = 60) -> SagaRow:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            self.pump()
            row = saga_of(self.store, saga_id)
            if row.saga.status in DONE:
                return row
            time.sleep(0.05)
        raise AssertionError(f"saga {saga_id} not done: {saga_of(self.store, saga_id).saga}")


def orchestrated(store: Store, settings: CheckoutSettings) -> Orchestrator:
    return Orchestrator(store, POLICY, settings)
