"""Onboarding a downstream system as a user does: declare its group (`consumers/fulfillment.yaml`, an HTTP
sink), replay history into it (`hub consume fulfillment --rewind start`), let it follow live under `hub up`.
It gets every order once, the replayed ones marked, each signed; the group that was there is unaffected."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hub.store import Store
from tests.faults.checker import check_audit
from tests.support.hubproc import HubCli, HubServer, hub_env, wait_for
from tests.support.orders import accept_all, deliveries, intake, order_delivery
from tests.support.secrets import tiktok_signature
from tests.support.sink import SECRET, Sink, project_with_groups

HISTORY, LIVE = 1000, 5

DECLARATION = """\
# yaml-language-server: $schema=../../../hub/schemas/consumer.schema.json
type: consumer_group
name: fulfillment
owner: warehouse-team
description: The warehouse system learns of every placed order.
topics: [orders]
events: [OrderPlaced]
ordering: per_key
retry: {{max_attempts: 3, first_wait_s: 0.1, max_wait_s: 1}}
sink:
  type: http
  url: {url}
  secret: {{env: FULFILLMENT_SIGNING_SECRET}}
  timeout_s: 5
"""


@pytest.fixture
def sink() -> Iterator[Sink]:
    running = Sink().start()
    yield running
    running.stop()


def test_a_sink_declared_after_1000_orders_gets_them_by_replay_then_live_ones_each_once(
    tmp_path: Path, home: Path, sink: Sink
) -> None:
    project = project_with_groups(tmp_path)
    env = hub_env(home, project, FULFILLMENT_SIGNING_SECRET=SECRET, HUB_CONNECTORS="tiktok")
    cli = HubCli(env)

    # 1000 orders exist: taken in by the real intake, published, applied by the audit group.
    store = Store(f"sqlite:///{home}/hub.db")
    store.migrate()
    assert accept_all(intake(store), deliveries(HISTORY, 1, run="history")) == HISTORY
    cli.run("relay", "--once")
    assert f"read {HISTORY} record(s)" in cli.run("consume", "audit", "--once").stdout

    (project / "consumers" / "fulfillment.yaml").write_text(DECLARATION.format(url=sink.url))
    assert "no problems" in cli.run("lint").stdout
    replayed = cli.run("consume", "fulfillment", "--rewind", "start", "--once", timeout=300).stdout
    assert f"{HISTORY} record(s) to replay" in replayed
    assert len(sink.received) == HISTORY
    assert all(r.headers["hub-replay"] == "true" and r.document["replay"] is True for r in sink.received)

    with HubServer(env) as server:
        for order in range(HISTORY, HISTORY + LIVE):
            body = order_delivery(order, 0, run="live").body
            answer = httpx.post(
                f"{server.url}/webhooks/tiktok",
                content=body,
                headers={"Authorization": tiktok_signature(body)},
            )
            assert answer.status_code == 200, answer.text
        wait_for(lambda: len(sink.received) >= HISTORY + LIVE, timeout=60, message="the live orders")
        wait_for(lambda: check_audit(store).committed == check_audit(store).keys, message="audit")

    counts = Counter(sink.ids())
    assert len(counts) == HISTORY + LIVE and set(counts.values()) == {1}  # every order, each once
    live = sink.received[HISTORY:]
    assert all(r.headers["hub-replay"] == "false" and "replay" not in r.document for r in live)
    assert all(r.signed for r in sink.received)
    assert {r.document["type"] for r in sink.received} == {"OrderPlaced"}
    assert all(
        r.headers["webhook-id"] == r.document["id"] == r.headers["idempotency-key"] for r in sink.received
    )
    report = check_audit(store)  # the group that was there before: every event once, in order
    assert report.ok and report.committed == HISTORY + LIVE, report
    store.dispose()
