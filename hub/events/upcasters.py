"""Upcasters: functions that turn an event's data written under an older major version into the next
major's shape, so a replay of old events reaches consumers in the current shape.

A breaking change to an event raises its VERSION and registers one upcaster from the old major:

    @upcaster("ListingStatusChanged", from_major=1)
    def listing_status_v2(data: dict[str, Any]) -> dict[str, Any]:
        return {**{k: v for k, v in data.items() if k != "status"}, "listing_status": data["status"]}

Chains run one major at a time (v1 -> v2 -> v3). `hub schemas check` fails when a committed major has no
way up to the current one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Data = dict[str, Any]
Upcaster = Callable[[Data], Data]

_UPCASTERS: dict[tuple[str, int], Upcaster] = {}


class NoUpcaster(LookupError):
    pass


def upcaster(event_type: str, *, from_major: int) -> Callable[[Upcaster], Upcaster]:
    def register(fn: Upcaster) -> Upcaster:
        _UPCASTERS[(event_type, from_major)] = fn
        return fn

    return register


def unregister(event_type: str, from_major: int) -> None:
    _UPCASTERS.pop((event_type, from_major), None)


def has_upcaster(event_type: str, from_major: int) -> bool:
    return (event_type, from_major) in _UPCASTERS


def upcast(event_type: str, major: int, to_major: int, data: Data) -> Data:
    """`data` of `event_type` at `major`, brought up to `to_major` one step at a time."""
    for step in range(major, to_major):
        fn = _UPCASTERS.get((event_type, step))
        if fn is None:
            raise NoUpcaster(f"no upcaster from v{step} of {event_type} (this hub reads v{to_major})")
        data = fn(data)
    return data
