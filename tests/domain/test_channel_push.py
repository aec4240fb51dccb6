"""The channel pusher against the marketplace sandbox: each channel inventory.yaml pushes is told its
available-to-sell through its connector's `set_inventory` action (the sandbox records the calls), the lag
is shown, and a channel that refuses is tried again later, not in a loop, while the others go on."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from hub.clock import utcnow
from hub.commerce.channel_sync import ChannelPusher
from hub.commerce.inventory import adjust, reconcile_inventory, show_sku
from hub.commerce.push import channel_port
from hub.domain.policy import ChannelSpec, InventoryPolicy
from hub.project import Project
from hub.store.channel_sync import ChannelSync
from tests.contract.stacks import sqlite_store
from tests.support.paths import REPO
from tests.support.sandbox import SandboxServer

POLICY = InventoryPolicy(
    locations=["main"],
    channels={"walmart": ChannelSpec(buffer=1), "tiktok": ChannelSpec(), "webshop": ChannelSpec(push=False)},
)


def test_each_channel_is_told_and_a_refusing_one_waits_before_it_is_tried_again(
    tmp_path: Path, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in sandbox.env().items():
        monkeypatch.setenv(name, value)
    store = sqlite_store(tmp_path)
    project = Project.load(REPO)
    adjust(store, POLICY, "PUSH-9", "main", on_hand=5, reason="receipt")
    reconcile_inventory(store, POLICY)
    pusher = ChannelPusher(store, POLICY, channel_port(project, store, os.environ))

    assert pusher.run_once(due=utcnow()) == 1  # Walmart; TikTok refuses (no product id for the SKU)

    walmart = [p for p in sandbox.pushed() if p["operation"] == "updateInventoryForAnItem"]
    assert [(p["sku"], p["body"]["quantity"]["amount"]) for p in walmart] == [("PUSH-9", 4)]
    told = {c["channel"]: c for c in show_sku(store, POLICY, "PUSH-9")["channels"]}
    assert told["walmart"]["last_pushed"] == 4 and told["walmart"]["lag_ms"] is not None
    with store.read_only() as uow:
        (tiktok,) = [r for r in uow.get(ChannelSync).of_sku("PUSH-9") if r.channel == "tiktok"]
    assert tiktok.attempts == 1 and "product_id" in (tiktok.last_error or "")
    assert tiktok.retry_at is not None and tiktok.retry_at <= utcnow() + timedelta(seconds=10)

    assert pusher.run_once(due=tiktok.retry_at - timedelta(microseconds=1)) == 0
    with store.read_only() as uow:
        (waiting,) = [r for r in uow.get(ChannelSync).of_sku("PUSH-9") if r.channel == "tiktok"]
    assert waiting.attempts == 1  # not due yet: not tried
    pusher.run_once(due=tiktok.retry_at)
    with store.read_only() as uow:
        (again,) = [r for r in uow.get(ChannelSync).of_sku("PUSH-9") if r.channel == "tiktok"]
    assert again.attempts == 2  # due: tried once more, and refused once more
