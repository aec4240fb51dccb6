"""Order queries the emulations share: by account, changed since a time, in change order."""

from __future__ import annotations

import random
import time

from hub.sandbox.orders import Order, make_order
from hub.sandbox.state import State


def seed(
    state: State, marketplace: str, account: str, count: int, rng: random.Random, spread_s: float
) -> list[Order]:
    """`count` orders created over the last `spread_s` seconds."""
    now = time.time()
    made = []
    with state.lock:
        for i in range(count):
            at = now - spread_s + spread_s * (i + 1) / max(count, 1)
            order = make_order(marketplace, account, rng, at=at)
            state.orders[(marketplace, order.id)] = order
            made.append(order)
    return made


def hold(state: State, marketplace: str, account: str, order_id: str, rng: random.Random) -> Order:
    """An order made now under a given id (one a sample names)."""
    order = make_order(marketplace, account, rng)
    order.id = order_id
    with state.lock:
        state.orders[(marketplace, order.id)] = order
    return order


def changed(
    state: State, marketplace: str, account: str, since: float, until: float | None = None
) -> list[Order]:
    with state.lock:
        found = [
            o
            for o in state.orders.values()
            if o.marketplace == marketplace
            and o.account == account
            and o.updated >= since
            and (until is None or o.updated < until)
        ]
    return sorted(found, key=lambda o: (o.updated, o.id))


def created(state: State, marketplace: str, account: str, since: float) -> list[Order]:
    with state.lock:
        found = [
            o
            for o in state.orders.values()
            if o.marketplace == marketplace and o.account == account and o.created >= since
        ]
    return sorted(found, key=lambda o: (o.created, o.id))


def get(state: State, marketplace: str, order_id: str) -> Order | None:
    with state.lock:
        return state.orders.get((marketplace, order_id))
