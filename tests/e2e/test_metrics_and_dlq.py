"""What an operator sees: /metrics on the receiver reflecting an injected outbox lag and dead letters,
`hub status` with the same figures, and `hub dlq` to look at, redrive and drop what a group gave up on."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from hub.clock import utcnow
from hub.store import Store
from hub.store.tables import outbox
from tests.support.hubproc import HubCli, HubServer, hub_env
from tests.support.orders import accept_all, deliveries, intake, order_delivery
from tests.support.secrets import tiktok_signature
from tests.support.sink import SECRET, Sink, project_with_groups

DECLARATION = """\
type: consumer_group
name: notify
owner: crm-team
topics: [orders]
retry: {{max_attempts: 2, first_wait_s: 0.05, max_wait_s: 0.1}}
sink: {{type: http, url: "{url}", secret: {{env: NOTIFY_SIGNING_SECRET}}, timeout_s: 2}}
"""


def scrape(server: HubServer) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = httpx.get(f"{server.url}/metrics", timeout=10)
    assert answer.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


@pytest.fixture
def sink() -> Iterator[Sink]:
    running = Sink(fail_with=500).start()  # the notify system is down
    yield running
    running.stop()


def test_metrics_status_and_dlq_reflect_an_outbox_lag_and_dead_letters(
    tmp_path: Path, home: Path, sink: Sink
) -> None:
    project = project_with_groups(tmp_path, notify=DECLARATION.format(url=sink.url))
    env = hub_env(home, project, NOTIFY_SIGNING_SECRET=SECRET, HUB_CONNECTORS="tiktok")
    cli = HubCli(env)
    store = Store(f"sqlite:///{home}/hub.db")
    store.migrate()

    # Two orders published; the notify group's endpoint answers 500: two dead letters, two parked keys.
    accept_all(intake(store), deliveries(2, 1, run="first"))
    cli.run("relay", "--once")
    cli.run("consume", "notify", "--once")
    # An outbox lag: three more events committed that no relay has published, the oldest 90 s ago.
    accept_all(intake(store), deliveries(3, 1, run="stalled", first_order=10))
    with store.transaction() as conn:
        stalled = update(outbox).where(outbox.c.published_at.is_(None))
        conn.execute(stalled.values(created_at=utcnow() - timedelta(seconds=90)))

    with HubServer(env, verb="receiver") as server:
        body = order_delivery(20, 0, run="scraped").body
        httpx.post(
            f"{server.url}/webhooks/tiktok", content=body, headers={"Authorization": tiktok_signature(body)}
        )
        httpx.post(f"{server.url}/webhooks/tiktok", content=body, headers={"Authorization": "forged"})
        found = scrape(server)
    assert found[("hub_outbox_pending", ())] == 4
    assert found[("hub_outbox_oldest_age_seconds", ())] >= 90
    assert found[("hub_dlq_size", (("group", "notify"),))] == 2
    assert found[("hub_parked_keys", (("group", "notify"),))] == 2
    assert found[("hub_quarantine_size", ())] == 0
    assert found[("hub_webhooks_total", (("connector", "tiktok"), ("outcome", "accepted")))] == 1
    assert found[("hub_webhooks_total", (("connector", "tiktok"), ("outcome", "refused")))] == 1

    status = json.loads(cli.run("status", "--json").stdout)
    assert (status["outbox_pending"], status["dead_letters"]) == (4, 2)
    groups = {g["name"]: g for g in status["groups"]}
    assert (groups["notify"]["dead_letters"], groups["notify"]["parked_keys"]) == (2, 2)
    assert groups["audit"]["total_lag"] == 2  # published, never applied: the audit group was not run
    screen = cli.run("status").stdout
    assert "dead letters  2 (hub dlq ls)" in screen
    # A person without a collector sees the spans on the console: one `process` span per event applied.
    traced = cli.run("consume", "audit", "--once", OTEL_TRACES_EXPORTER="console").stdout
    assert "read 2 record(s): 2 applied" in traced and traced.count('"name": "process orders"') == 2

    listing = cli.run("dlq", "ls", "--group", "notify").stdout
    assert "2 dead letter(s), 0 parked event(s), 2 parked key(s)" in listing
    letters = [json.loads(line) for line in cli.run("dlq", "ls", "--json").stdout.splitlines()]
    assert [(x["status"], x["attempts"]) for x in letters] == [("dead", 2), ("dead", 2)]
    shown = json.loads(cli.run("dlq", "show", str(letters[0]["id"])).stdout)
    assert "answered 500" in shown["error"] and shown["event"]["type"] == "OrderPlaced"

    sink.fail_with = None  # the endpoint is fixed
    redriven = cli.run("dlq", "redrive", str(letters[0]["id"])).stdout
    assert f"applied  {letters[0]['id']:>6}" in redriven and "released notify key" in redriven
    dropped = cli.run("dlq", "drop", str(letters[1]["id"]), "--reason", "order cancelled by hand").stdout
    assert "dropped" in dropped
    assert json.loads(cli.run("status", "--json").stdout)["dead_letters"] == 0
    trail = json.loads(cli.run("dlq", "show", str(letters[1]["id"])).stdout)["trail"]
    assert [(t["action"], t["reason"]) for t in trail] == [("dropped", "order cancelled by hand")]
    assert len(sink.received) == 1 and sink.received[0].signed
    store.dispose()
