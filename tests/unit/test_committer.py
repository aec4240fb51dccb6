"""The group committer answers each request of a batch with its own result, one loop wake-up a batch."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

from hub.intake.committer import GroupCommitter
from hub.intake.delivery import Delivery, Receipt


class FakeService:
    """accept() blocks until released, so several submissions pile up into one batch."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.batches: list[list[str]] = []

    def accept(self, deliveries: Sequence[Delivery]) -> list[Receipt | Exception]:
        self.release.wait(5)
        self.batches.append([d.dedupe_key for d in deliveries])
        return [
            ValueError(d.dedupe_key) if d.dedupe_key.startswith("bad") else Receipt("accepted", i, 1)
            for i, d in enumerate(deliveries)
        ]


def delivery(key: str) -> Delivery:
    return Delivery("tiktok", b"{}", {}, key, datetime.now(UTC))


def test_each_request_gets_its_own_result_and_errors_stay_per_request() -> None:
    service = FakeService()
    committer = GroupCommitter(service)  # type: ignore[arg-type]
    committer.start()

    async def scenario() -> list[Any]:
        first = asyncio.ensure_future(committer.submit(delivery("first")))
        await asyncio.sleep(0.05)  # the thread holds "first" in accept(); the next three queue up
        rest = [asyncio.ensure_future(committer.submit(delivery(k))) for k in ("a", "bad-b", "c")]
        await asyncio.sleep(0.05)
        service.release.set()
        return await asyncio.gather(first, *rest, return_exceptions=True)

    try:
        results = asyncio.run(scenario())
    finally:
        committer.stop()
    assert service.batches == [["first"], ["a", "bad-b", "c"]]
    assert results[0] == Receipt("accepted", 0, 1)
    assert results[1] == Receipt("accepted", 0, 1)
    assert isinstance(results[2], ValueError)
    assert results[3] == Receipt("accepted", 2, 1)


def test_a_cancelled_request_does_not_stop_the_committer() -> None:
    service = FakeService()
    committer = GroupCommitter(service)  # type: ignore[arg-type]
    committer.start()

    async def scenario() -> Receipt:
        gone = asyncio.ensure_future(committer.submit(delivery("gone")))
        await asyncio.sleep(0.05)
        gone.cancel()  # the client hung up while its delivery was being committed
        service.release.set()
        with pytest.raises(asyncio.CancelledError):
            await gone
        return await committer.submit(delivery("next"))

    try:
        assert asyncio.run(scenario()) == Receipt("accepted", 0, 1)
    finally:
        committer.stop()
    assert service.batches == [["gone"], ["next"]]
