"""hub_webhooks_total by outcome as the endpoint answers: a platform's "webhook saved" request is
`verification` when it is answered 200 and its status otherwise; stored deliveries and refusals by what
they were answered; a client that leaves before its body arrived as `disconnected`, with nothing stored and
no server error."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import func, select

from hub.metrics import COUNTERS
from hub.store import Store
from hub.store.tables import inbox
from tests.contract.stacks import SqliteStack
from tests.support.orders import order_delivery
from tests.support.receiver import InProcessReceiver

PING = b"webhook_id=3"
FORM = "application/x-www-form-urlencoded"


def counted(outcome: str, connector: str = "tiktok") -> float:
    value = COUNTERS.get_sample_value("hub_webhooks_total", {"connector": connector, "outcome": outcome})
    return value or 0.0


class WebhookCounts:
    @pytest.fixture
    def receiver(self, store: Store) -> Iterator[InProcessReceiver]:
        with InProcessReceiver(store) as running:
            yield running

    def pinged(self, receiver: InProcessReceiver, status: int) -> int:
        """The answer to a ping, once the tiktok endpoint takes it for the platform's verification."""
        endpoint = receiver.endpoints["tiktok"]
        receiver.endpoints["tiktok"] = replace(
            endpoint, is_verification=lambda _type, body: body == PING, verified_status=status
        )
        answer = receiver.post("tiktok", PING, {"content-type": FORM})
        assert answer.content == b""
        return answer.status_code

    def test_a_verification_answered_200_counts_as_verification(self, receiver: InProcessReceiver) -> None:
        before, by_status = counted("verification"), counted("200")
        assert self.pinged(receiver, 200) == 200
        assert (counted("verification") - before, counted("200") - by_status) == (1, 0)

    def test_a_verification_answered_otherwise_counts_by_status(self, receiver: InProcessReceiver) -> None:
        before, by_status = counted("verification"), counted("204")
        assert self.pinged(receiver, 204) == 204
        assert (counted("verification") - before, counted("204") - by_status) == (0, 1)

    def test_deliveries_count_by_their_outcome(self, receiver: InProcessReceiver) -> None:
        body = order_delivery(1, 0, run="counts").body
        accepted, duplicate, refused = counted("accepted"), counted("duplicate"), counted("refused")
        assert receiver.post_signed("tiktok", body).json()["status"] == "accepted"
        assert receiver.post_signed("tiktok", body).json()["status"] == "duplicate"
        assert receiver.post("tiktok", body, {"Authorization": "forged"}).status_code == 401
        assert counted("accepted") - accepted == 1
        assert (counted("duplicate") - duplicate, counted("refused") - refused) == (1, 1)

    def test_a_client_gone_before_its_body_counts_as_disconnected(
        self, receiver: InProcessReceiver, store: Store
    ) -> None:
        """What uvicorn hands the app when the connection closes mid-body: part of it, then a disconnect.
        The app returns normally (an exception would be answered 500 and logged with a traceback)."""
        body = order_delivery(1, 0, run="gone").body
        messages: list[dict[str, Any]] = [
            {"type": "http.request", "body": body[:20], "more_body": True},
            {"type": "http.disconnect"},
        ]
        sent: list[MutableMapping[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return messages.pop(0)

        async def send(message: MutableMapping[str, Any]) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/webhooks/tiktok",
            "raw_path": b"/webhooks/tiktok",
            "query_string": b"",
            "root_path": "",
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
        }
        before = counted("disconnected")
        receiver.run(receiver.app(scope, receive, send))
        assert counted("disconnected") - before == 1
        assert [m["status"] for m in sent if m["type"] == "http.response.start"] == [400]
        with store.transaction() as conn:
            assert conn.execute(select(func.count()).select_from(inbox)).scalar_one() == 0


class TestSqlite(SqliteStack, WebhookCounts):
    pass
