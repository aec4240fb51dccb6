"""The inventory policy of the project the process runs (HUB_PROJECT), for handlers that get none."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from hub.domain.policy import InventoryPolicy
from hub.project import inventory_policy


def current_policy() -> InventoryPolicy:
    return _policy(os.environ.get("HUB_PROJECT") or ".")


@cache
def _policy(root: str) -> InventoryPolicy:
    return inventory_policy(Path(root).resolve())
