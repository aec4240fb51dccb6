"""Commerce domain benchmark, two figures, each beside its baseline in the same run:

1. Checkout sagas per second through the orchestrated variant (authorize at the sandbox PSP over HTTP,
   reserve, create the order through the order lifecycle, each step persisted), next to the PSP alone:
   the same number of authorizations sent straight to it. The ratio is what the saga costs on top of its
   payment call.
2. Order events per second through the intake with the order state machine, next to the intake without it
   (the same deliveries: the intake as it was before issue 17, mapping -> sequences -> outbox). Each run
   gets a fresh store; runs alternate; medians over the rounds.

    .venv/bin/python bench/domain.py [--sagas 300] [--orders 2000] [--rounds 3] [--postgres]

SQLite (WAL, synchronous=FULL) in a temporary folder by default; --postgres runs both on a throwaway
PostgreSQL cluster (tests.infra). Not a test: nothing asserts a time.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tests.*

from hub.clock import utcnow
from hub.commerce.checkout.orchestrator import Orchestrator
from hub.commerce.checkout.psp import HttpPsp
from hub.commerce.checkout.request import CheckoutRequest
from hub.commerce.checkout.settings import CheckoutSettings
from hub.commerce.inventory import adjust
from hub.domain.policy import ChannelSpec, InventoryPolicy
from hub.domain.saga import Status
from hub.intake.delivery import Delivery
from hub.intake.service import IntakeService
from hub.project import Project
from hub.store import Store
from tests.infra import fresh_database, running_postgres
from tests.support.paths import REPO, sample
from tests.support.psp import running_psp

POLICY = InventoryPolicy(locations=["main"], channels={"webshop": ChannelSpec(sells_from="main", push=False)})
# One order's legal way through its lifecycle, one webhook per status (each gives one event).
STATUSES = ("UNPAID", "AWAITING_SHIPMENT", "AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED")
TEMPLATE = json.loads(sample("tiktok", "webhook-1-ORDER_STATUS_CHANGE.json").read_text())


@contextmanager
def stores(postgres: bool) -> Iterator[Callable[[], Store]]:
    with ExitStack() as stack:
        if postgres:
            server = stack.enter_context(running_postgres())

            def make() -> Store:
                store = Store(fresh_database(server, f"b_{uuid.uuid4().hex[:12]}"))
                store.migrate()
                return store
        else:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))

            def make() -> Store:
                store = Store(f"sqlite:///{folder}/{uuid.uuid4().hex}.db")
                store.migrate()
                return store

        yield make


def deliveries(orders: int, run: str) -> list[list[Delivery]]:
    """Batches of 200 deliveries, status by status across all orders (each key's events spread out)."""
    flat = []
    for step, status in enumerate(STATUSES):
        for n in range(orders):
            payload = copy.deepcopy(TEMPLATE)
            payload["tts_notification_id"] = f"{run}-{n}-{step}"
            payload["data"].update(
                order_id=f"5764{n:014d}", order_status=status, update_time=1_700_000_000 + step
            )
            body = json.dumps(payload, separators=(",", ":")).encode()
            flat.append(
                Delivery(
                    "tiktok", body, payload, payload["tts_notification_id"], utcnow(), TEMPLATE["shop_id"]
                )
            )
    return [flat[i : i + 200] for i in range(0, len(flat), 200)]


def intake_rate(make: Callable[[], Store], project: Project, orders: int, lifecycle: bool) -> float:
    store = make()
    service = IntakeService(project, store, lifecycle=lifecycle)
    batches = deliveries(orders, uuid.uuid4().hex[:6])
    started = time.perf_counter()
    events = 0
    for batch in batches:
        for receipt in service.accept(batch):
            assert not isinstance(receipt, Exception) and receipt.status == "accepted", receipt
            events += receipt.events
    elapsed = time.perf_counter() - started
    store.dispose()
    assert events == orders * len(STATUSES), events
    return events / elapsed


def saga_rate(make: Callable[[], Store], psp_url: str, sagas: int) -> float:
    store = make()
    adjust(store, POLICY, "MUG", "main", delta=sagas * 2, reason="receipt")
    config = CheckoutSettings(psp_url=psp_url, psp_timeout=timedelta(seconds=5))
    orchestrator = Orchestrator(store, POLICY, config)
    request = CheckoutRequest.model_validate(
        {"lines": [{"sku": "MUG", "quantity": 1, "unit_price": "9.50"}], "currency": "EUR"}
    )
    started = time.perf_counter()
    for _ in range(sagas):
        assert orchestrator.checkout(request).saga.status is Status.COMPLETED
    elapsed = time.perf_counter() - started
    store.dispose()
    return sagas / elapsed


def psp_rate(psp_url: str, calls: int) -> float:
    psp = HttpPsp(psp_url, 5.0)
    started = time.perf_counter()
    for _ in range(calls):
        psp.authorize(uuid.uuid4().hex, "9.50", "EUR", "bench")
    elapsed = time.perf_counter() - started
    psp.close()
    return calls / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sagas", type=int, default=300)
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    project = Project.load(REPO, ["tiktok"])
    with (
        stores(args.postgres) as make,
        tempfile.TemporaryDirectory() as folder,
        running_psp(Path(folder)) as psp,
    ):
        figures: dict[str, list[float]] = {"psp": [], "saga": [], "bare": [], "lifecycle": []}
        for _ in range(args.rounds):
            figures["psp"].append(psp_rate(psp.url, args.sagas))
            figures["saga"].append(saga_rate(make, psp.url, args.sagas))
            figures["bare"].append(intake_rate(make, project, args.orders, lifecycle=False))
            figures["lifecycle"].append(intake_rate(make, project, args.orders, lifecycle=True))
    m = {k: statistics.median(v) for k, v in figures.items()}
    store = "PostgreSQL" if args.postgres else "SQLite"
    print(f"store: {store}; rounds: {args.rounds}; medians")
    rows = [
        ("checkout sagas/s (orchestrated, sandbox PSP)", m["saga"], ""),
        ("PSP authorizations/s alone", m["psp"], f"saga/PSP = {m['saga'] / m['psp']:.2f}"),
        ("order events/s, intake with the state machine", m["lifecycle"], ""),
        ("order events/s, intake without it", m["bare"], f"with/without = {m['lifecycle'] / m['bare']:.2f}"),
    ]
    for label, value, ratio in rows:
        print(f"{label:<46} {value:9.1f}   {ratio}")


if __name__ == "__main__":
    main()
