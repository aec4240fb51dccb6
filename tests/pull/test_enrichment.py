"""Thin notifications completed by a follow-up fetch: queued in the transaction that stores the
notification, one fetch per order however many notifications, retried, then quarantined with the reason."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

from hub.config import Settings
from hub.intake.delivery import Delivery
from hub.intake.service import IntakeService
from hub.pull.enrich import FetchWorker
from hub.wiring import load_project, open_store
from tests.support.db import rows
from tests.support.hubproc import hub_env
from tests.support.sandbox import SandboxServer, project_copy


def _thin(order_id: str, status: str, n: int) -> Delivery:
    payload = {
        "type": 1,
        "tts_notification_id": f"n-{order_id}-{n}",
        "shop_id": "7494000000000000001",
        "timestamp": 1,
        "data": {"order_id": order_id, "order_status": status, "update_time": n},
    }
    return Delivery(
        "tiktok",
        json.dumps(payload).encode(),
        payload,
        payload["tts_notification_id"],
        datetime.now(UTC),
        account="7494000000000000001",
    )


def _parts(home: Path, env: dict[str, str]) -> tuple[IntakeService, FetchWorker]:
    settings = Settings.from_env(env)
    intake = IntakeService(load_project(settings), open_store(settings))
    return intake, FetchWorker(intake, env)


def test_notifications_of_one_order_share_one_fetch(home: Path, sandbox: SandboxServer) -> None:
    order_id = sandbox.seed("tiktok", 1)[0]
    env = hub_env(home, **sandbox.env())
    intake, worker = _parts(home, env)
    receipts = intake.accept([_thin(order_id, "UNPAID", 1), _thin(order_id, "AWAITING_SHIPMENT", 2)])
    assert [r.status for r in receipts] == ["accepted", "accepted"]  # type: ignore[union-attr]
    db = home / "hub.db"
    assert rows(db, "SELECT key, generation FROM fetch_queue") == [(order_id, 2)]
    assert rows(db, "SELECT count(*) FROM outbox") == [(0,)]  # the thin payloads give no events themselves

    assert worker.run_once() == 1
    assert rows(db, "SELECT count(*) FROM fetch_queue") == [(0,)]
    placed = rows(db, "SELECT payload FROM outbox WHERE event_type = 'OrderPlaced'")
    assert len(placed) == 1
    data = json.loads(placed[0][0])  # type: ignore[arg-type]
    assert data["order_id"] == order_id and data["lines"] and data["total"]["currency"] == "USD"
    details = [r for r in sandbox.requests() if r["operation"] == "getOrderDetail"]
    assert len(details) == 1


def test_a_failing_fetch_is_retried_then_quarantined_with_the_reason(
    tmp_path: Path, home: Path, sandbox: SandboxServer
) -> None:
    project = project_copy(
        tmp_path / "project",
        {
            "tiktok:enrich.order_status_change.max_attempts": 2,
            "tiktok:api.retry": {"attempts": 1},
        },
    )
    sandbox.admin(
        "faults", {"marketplace": "tiktok", "operation": "getOrderDetail", "kind": "500", "count": 10}
    )
    env = hub_env(home, project, **sandbox.env())
    intake, worker = _parts(home, env)
    intake.accept([_thin("576486316948490001", "UNPAID", 1)])
    db = home / "hub.db"
    deadline = time.monotonic() + 60
    while rows(db, "SELECT count(*) FROM fetch_queue") != [(0,)] and time.monotonic() < deadline:
        worker.run_once()
        time.sleep(0.2)
    quarantined = rows(db, "SELECT q.reason, i.status FROM quarantine q JOIN inbox i ON i.id = q.inbox_id")
    assert len(quarantined) == 1
    reason, status = quarantined[0]
    assert status == "quarantined"
    assert "fetch of 576486316948490001 by getOrderDetail failed 2 time(s)" in str(reason)
    assert "HTTP 500" in str(reason)
    assert [
        (r["status"], r["injected"]) for r in sandbox.requests() if r["operation"] == "getOrderDetail"
    ] == [(500, "500")] * 2
