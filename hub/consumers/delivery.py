"""What a handler may ask about the delivery in hand: which group, whether it is a replay."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Delivery:
    group: str
    # The record was in the log before the group was rewound (`hub consume G --rewind ...`): history
    # replayed into the group. A sink may skip side effects such as e-mails.
    replay: bool = False


_CURRENT: ContextVar[Delivery | None] = ContextVar("hub_consumer_delivery", default=None)


def current() -> Delivery:
    """The delivery the running handler was called for (a live one outside any)."""
    return _CURRENT.get() or Delivery(group="")


def set_current(delivery: Delivery | None) -> None:
    _CURRENT.set(delivery)
