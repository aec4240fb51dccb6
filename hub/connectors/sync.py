"""The services a scheduled pull or an inventory push runs: what `hub pull` and `hub push` will call.

Pull streams and outbound actions are not built yet (they come with the pull-streams work); until then
no connector declares `streams:` or `actions:`, so no Dagster job calls these. When that work lands, these
two bodies call its services, and every connector's generated jobs run them.
"""

from __future__ import annotations

from hub.config import Settings


class NotBuilt(RuntimeError):
    pass


def pull(settings: Settings, connector: str, stream: str) -> int:
    """Run one sync of a connector's stream; return how many records it stored."""
    raise NotBuilt(f"pulling {connector}.{stream} needs the pull-streams runtime, which is not built yet")


def push_inventory(settings: Settings, connector: str) -> int:
    """Push every SKU's available-to-sell to the channel; return how many SKUs it set."""
    raise NotBuilt(f"pushing inventory to {connector} needs outbound actions, which are not built yet")
