"""Mapping reload under a running `hub up`: an edit that passes lint serves the next delivery; a broken edit
leaves the running version serving and the log says why; SIGHUP reloads at once."""

from __future__ import annotations

import os
import re
import shutil
import signal
from pathlib import Path

from tests.e2e.test_webhook_spine import order_webhook, post
from tests.support.hubproc import HubServer, hub_env, wait_for
from tests.support.paths import REPO

STATUS = "AWAITING_BUYER_REVIEW"  # not in the bundled table: quarantined until the mapping learns it


def live_versions(server: HubServer) -> list[str]:
    return re.findall(r"version (\w{12}) live", server.output())


def test_an_edited_mapping_serves_the_next_delivery_and_a_broken_edit_keeps_the_old_one(
    tmp_path: Path, home: Path
) -> None:
    project = tmp_path / "project"
    for folder in ("connectors", "mappings"):
        shutil.copytree(REPO / folder, project / folder)
    mapping = project / "mappings" / "tiktok" / "order_status_change.yaml"
    original = mapping.read_text()
    assert "        UNPAID: OrderPlaced" in original

    with HubServer(hub_env(home, project, HUB_CONNECTORS="tiktok")) as server:
        first = live_versions(server)
        assert len(first) == 1
        assert post(server, order_webhook(STATUS, "5001", "v1")).json()["status"] == "quarantined"

        mapping.write_text(
            original.replace(
                "        UNPAID: OrderPlaced",
                f"        UNPAID: OrderPlaced\n        {STATUS}: OrderPlaced",
            )
        )
        wait_for(lambda: len(live_versions(server)) == 2, timeout=60, message="the edit live")
        fixed = post(server, order_webhook(STATUS, "5002", "v2")).json()
        assert (fixed["status"], fixed["events"]) == ("accepted", 1)

        mapping.write_text(mapping.read_text().replace(f"{STATUS}: OrderPlaced", f"{STATUS}: OrderPayed"))
        wait_for(lambda: "fails lint" in server.output(), timeout=60, message="the broken edit refused")
        assert f"version {live_versions(server)[-1]} stays live" in server.output()
        assert "'OrderPayed' is not a known value" in server.output()
        still = post(server, order_webhook(STATUS, "5003", "v3")).json()
        assert (still["status"], still["events"]) == ("accepted", 1)  # the last good version serves

        mapping.write_text(original)  # back to the first version, and say so at once
        assert server.process is not None
        os.kill(server.process.pid, signal.SIGHUP)
        wait_for(lambda: live_versions(server)[-1] == first[0], timeout=60, message="the original live")
        assert post(server, order_webhook(STATUS, "5004", "v4")).json()["status"] == "quarantined"
