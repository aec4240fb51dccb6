"""The relay: outbox rows to the broker, at least once, per-key order kept."""

from hub.relay.relay import Relay
from hub.store.wakeup import Wakeup

__all__ = ["Relay", "Wakeup"]
