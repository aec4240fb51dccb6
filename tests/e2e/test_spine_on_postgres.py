"""The spine over real HTTP with the store on PostgreSQL: `hub up` receives, the relay (woken by
LISTEN/NOTIFY) publishes, both consumer groups apply once, a second delivery is a duplicate, and a
quarantined payload is re-normalized after its mapping is fixed."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, select

from hub.store import Store
from hub.store.tables import audit_log, consumer_inbox, inbox, order_view, outbox
from tests.e2e.test_webhook_spine import events, order_webhook, post
from tests.infra import PostgresServer, fresh_database
from tests.support.hubproc import HubCli, HubServer, hub_env, wait_for
from tests.support.paths import REPO


def test_webhook_to_consumer_groups_with_the_store_on_postgresql(
    postgres: PostgresServer, home: Path, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    for folder in ("connectors", "mappings"):
        shutil.copytree(REPO / folder, project / folder)
    database = fresh_database(postgres, f"s_{uuid.uuid4().hex[:12]}")
    env = hub_env(home, project, HUB_DATABASE_URL=database.replace("+psycopg", ""))
    cli, store = HubCli(env), Store(database)
    try:
        with HubServer(env) as server:
            first = post(server, order_webhook("UNPAID"))
            assert first.json() == {"status": "accepted", "inbox_id": 1, "events": 1}
            assert post(server, order_webhook("UNPAID")).json()["status"] == "duplicate"
            assert post(server, order_webhook("AWAITING_SHIPMENT", notification="2")).status_code == 200
            held = post(server, order_webhook("AWAITING_BUYER_REVIEW", notification="3"))
            assert held.json()["status"] == "quarantined"

            published = wait_for(lambda: len(events(cli)) == 2 and events(cli), message="two events")
            assert [(e["type"], e["sequence"]) for e in published] == [("OrderPlaced", 1), ("OrderPaid", 2)]
            wait_for(lambda: len(rows(store, consumer_inbox.c.event_id)) == 4, message="both groups")

            mapping = project / "mappings" / "tiktok" / "order_status_change.yaml"
            mapping.write_text(
                mapping.read_text().replace(
                    "        UNPAID: OrderPlaced",
                    "        UNPAID: OrderPlaced\n        AWAITING_BUYER_REVIEW: OrderDelivered",
                )
            )
            assert "1 resolved, 0 still quarantined" in cli.run("quarantine", "retry", "--all").stdout
            wait_for(lambda: len(rows(store, consumer_inbox.c.event_id)) == 6, message="the retried event")

        assert len(rows(store, inbox.c.id)) == 3
        assert rows(store, outbox.c.sequence) == [1, 2, 3]
        assert all(at is not None for at in rows(store, outbox.c.published_at))
        # applied once each, in commit order
        assert rows(store, audit_log.c.sequence, order_by=audit_log.c.id) == [1, 2, 3]
        assert rows(store, order_view.c.events_applied) == [3]
    finally:
        store.dispose()


def rows(store: Store, column: ColumnElement[Any], order_by: ColumnElement[Any] | None = None) -> list[Any]:
    with store.transaction() as conn:
        return list(conn.execute(select(column).order_by(column if order_by is None else order_by)).scalars())
