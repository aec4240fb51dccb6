"""Consumer groups that replays in tests apply to: an audit_log row per event under the group's name.

Registered on import, for the processes HUB_CONSUMER_MODULES names this module to (Dagster's run
workers, `hub` verbs). A test in pytest's own process registers them through the `hub_home` fixture of
tests/dagster, which takes them out again, so no other test ever sees them in `groups()`.
"""

from __future__ import annotations

from hub.consumers.registry import consumer_group
from hub.events import TOPICS
from tests.support.dated import audit_into

NAMES = ("replay-probe", "replay-probe-2")


def register() -> None:
    for name in NAMES:
        consumer_group(name, topics=TOPICS, description="test group: an audit_log row per event")(
            audit_into(name).handler
        )


register()
