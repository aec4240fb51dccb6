"""A soak over real HTTP: `hub receiver` in its own process, several concurrent senders mixing good,
poison and wrongly signed deliveries. Afterwards every good one is mapped, every poison one quarantined,
every wrong one refused and stored nowhere, counted exactly; no answer was a 5xx and the receiver still
answers. One suite, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from hub.store import Store
from hub.store.tables import inbox, outbox, quarantine
from tests.contract.stacks import postgres_store, sqlite_store
from tests.support.hubproc import HubServer, hub_env
from tests.support.paths import sample
from tests.support.secrets import tiktok_signature

TEMPLATE: dict[str, Any] = json.loads(sample("tiktok", "webhook-1-ORDER_STATUS_CHANGE.json").read_text())
SENDERS = 6
PER_SENDER = 40

# Each poison fails in another stage: a conversion that raises, a value beyond int()'s digit limit, an
# event whose partition key no key column holds, an account the inbox cannot hold.
POISONS: list[Callable[[dict[str, Any]], None]] = [
    lambda p: p["data"].update(update_time=10**17),
    lambda p: p["data"].update(update_time="9" * 4301),
    lambda p: p["data"].update(order_id="o" * 300),
    lambda p: p.update(shop_id="s" * 200),
]


def webhook(kind: str, n: int) -> tuple[bytes, dict[str, str | bytes]]:
    """One delivery of `kind` (good, poison or wrong), numbered `n`: its own notification and order id."""
    payload = json.loads(json.dumps(TEMPLATE))
    payload["tts_notification_id"] = f"{kind}-{n}"
    payload["data"].update(order_id=f"{kind}-order-{n}", order_status="AWAITING_SHIPMENT")
    if kind == "poison":
        POISONS[n % len(POISONS)](payload)
    body = json.dumps(payload).encode()
    if kind != "wrong":
        return body, {"Authorization": tiktok_signature(body)}
    forged: list[dict[str, str | bytes]] = [
        {"Authorization": tiktok_signature(body, app_secret="not-the-secret")},
        {},
        {"Authorization": tiktok_signature(body.replace(b"AWAITING", b"CANCELLED"))},
        {"Authorization": "é".encode() * 32},  # not ASCII: answered 500 with a traceback, once
    ]
    return body, forged[n % len(forged)]


def count(store: Store, query: Any) -> int:
    with store.transaction() as conn:
        return int(conn.execute(query).scalar_one())


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def soak_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The same suite on both backends: one store and one `hub receiver` per backend, shared by the
    tests, each of which counts the rows of its own ids."""
    if request.param == "sqlite":
        store = sqlite_store(tmp_path_factory.mktemp("soak"))
    else:
        store = postgres_store(request.getfixturevalue("postgres"))
    yield store
    store.dispose()


@pytest.fixture(scope="module")
def server(soak_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubServer]:
    home = tmp_path_factory.mktemp("home")
    env = hub_env(home, HUB_DATABASE_URL=soak_store.url, HUB_CONNECTORS="tiktok")
    with HubServer(env, verb="receiver") as running:
        yield running


def test_concurrent_senders_mixing_good_poison_and_forged(server: HubServer, soak_store: Store) -> None:
    store = soak_store
    plan = [kind for kind in ("good", "poison", "wrong") for _ in range(SENDERS * PER_SENDER // 3)]
    random.Random(13).shuffle(plan)
    work = [(kind, n) for n, kind in enumerate(plan)]
    answers: dict[tuple[str, int], tuple[int, str | None]] = {}

    def sender(share: list[tuple[str, int]]) -> None:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            for kind, n in share:
                body, headers = webhook(kind, n)
                response = client.post("/webhooks/tiktok", content=body, headers=headers)
                status = response.json().get("status") if response.status_code == 200 else None
                answers[(kind, n)] = (response.status_code, status)

    with ThreadPoolExecutor(SENDERS) as pool:
        list(pool.map(sender, [work[i::SENDERS] for i in range(SENDERS)]))

    seen = Counter((kind, answer) for (kind, _), answer in answers.items())
    each = len(plan) // 3
    assert seen == {
        ("good", (200, "accepted")): each,
        ("poison", (200, "quarantined")): each,
        ("wrong", (401, None)): each,
    }
    assert server.process is not None and server.process.poll() is None
    assert httpx.get(f"{server.url}/healthz", timeout=10).status_code == 200
    assert httpx.get(f"{server.url}/readyz", timeout=30).status_code == 200

    ours = inbox.c.dedupe_key.like("good-%") | inbox.c.dedupe_key.like("poison-%")
    mapped, held = inbox.c.status == "mapped", inbox.c.status == "quarantined"
    assert count(store, select(func.count()).where(ours)) == 2 * each
    assert count(store, select(func.count()).where(mapped, inbox.c.dedupe_key.like("good-%"))) == each
    assert count(store, select(func.count()).where(held, inbox.c.dedupe_key.like("poison-%"))) == each
    in_quarantine = select(func.count()).select_from(quarantine.join(inbox)).where(ours)
    assert count(store, in_quarantine) == each
    assert count(store, select(func.count()).where(inbox.c.dedupe_key.like("wrong-%"))) == 0
    good_events = outbox.c.partition_key.like("tiktok:good-order-%")
    assert count(store, select(func.count()).where(good_events)) == each
    assert count(store, select(func.count(outbox.c.partition_key.distinct())).where(good_events)) == each
    assert count(store, select(func.count()).where(outbox.c.partition_key.like("%poison%"))) == 0
    assert count(store, select(func.count()).where(outbox.c.partition_key.like("%wrong%"))) == 0


def test_three_concurrent_deliveries_one_poison(server: HubServer, soak_store: Store) -> None:
    rounds = 5
    for round_ in range(rounds):
        trio = [webhook(kind, 10_000 + 3 * round_ + i) for i, kind in enumerate(["good", "poison", "good"])]
        start = threading.Barrier(3)
        with ThreadPoolExecutor(3) as pool:
            answers = list(pool.map(partial(post_together, server, start), trio))
        assert answers == [(200, "accepted"), (200, "quarantined"), (200, "accepted")]
    trio_events = outbox.c.partition_key.like("tiktok:good-order-1____")
    assert count(soak_store, select(func.count()).where(trio_events)) == 2 * rounds
    held = quarantine.join(inbox)
    trio_held = select(func.count()).select_from(held).where(inbox.c.dedupe_key.like("poison-1____"))
    assert count(soak_store, trio_held) == rounds


def post_together(
    server: HubServer, start: threading.Barrier, delivery: tuple[bytes, dict[str, str | bytes]]
) -> tuple[int, str]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        start.wait()  # the three requests leave together and meet in one group commit
        response = client.post("/webhooks/tiktok", content=delivery[0], headers=delivery[1])
        return response.status_code, response.json()["status"]
