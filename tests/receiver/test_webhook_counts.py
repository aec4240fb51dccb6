"""hub_webhooks_total by outcome as the endpoint answers: a platform's "webhook saved" request is
`verification` when it is answered 200 and its status otherwise; stored deliveries and refusals by what
they were answered."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from hub.metrics import COUNTERS
from hub.store import Store
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


class TestSqlite(SqliteStack, WebhookCounts):
    pass
