"""The commerce domain's long-running parts of `hub up`: the channel pusher, and the checkout saga's
resumer (orchestrated) or its participants and timer (choreographed)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from datetime import timedelta

from hub.broker.port import Broker
from hub.commerce.channel_sync import ChannelPusher, pushed_channels
from hub.commerce.checkout.settings import CheckoutSettings
from hub.project import Project
from hub.retry import retry_until
from hub.store import Store

log = logging.getLogger(__name__)

Run = Callable[[threading.Event], None]


def commerce_workers(
    store: Store, broker: Broker, project: Project, environ: Mapping[str, str]
) -> list[tuple[str, Run]]:
    found: list[tuple[str, Run]] = []
    if pushed_channels(project.inventory):
        from hub.commerce.push import channel_port

        pusher = ChannelPusher(store, project.inventory, channel_port(project, store, environ))
        found.append(("channel-pusher", pusher.run))
    settings = CheckoutSettings.from_env(environ)
    if settings.variant == "choreographed":
        from hub.commerce.checkout.choreography import Participants, run_timer, runners

        participants = Participants(store, project.inventory, settings)
        for runner in runners(store, broker, participants):
            found.append((runner.name, runner.run))
        found.append(("checkout-timer", lambda stop: run_timer(participants, stop)))
    else:
        from hub.commerce.checkout.orchestrator import Orchestrator

        orchestrator = Orchestrator(store, project.inventory, settings)
        # A saga idle this long is no longer being driven by a request: a crash or a restart left it.
        idle = settings.psp_timeout * 3 + timedelta(seconds=20)

        def resume(stop: threading.Event) -> None:
            while not stop.wait(5.0):
                retry_until(lambda: orchestrator.resume(idle, stop), stop, "saga resumer")

        found.append(("saga-resumer", resume))
    return found
