"""Groups whose effect is a call to another system (an HTTP sink): the calls are made outside any write
transaction, so a slow or failing endpoint never holds the store's write lock (SQLite has one for the whole
database); what was delivered is claimed afterwards, in one short transaction. At least once towards the
endpoint: a crash between a call and its claim repeats the call, with the same idempotency key. A failing
call is retried (then kept) by failures.py, the same way: the call, then its claim."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from hub.clock import utcnow
from hub.consumers import failures
from hub.consumers.apply import Item, call, claim, letter, store_failure
from hub.consumers.registry import GroupSpec
from hub.store import Store
from hub.store.dead_letters import Letter


def deliver(
    spec: GroupSpec, store: Store, items: Sequence[Item], traced: bool, stop: threading.Event
) -> tuple[int, int]:
    """(delivered, kept) of `items`."""
    with store.read_only() as uow:  # no lock outlives it: the calls are made after it ends
        seen = uow.applied.claimed(spec.name, [i.event_id for i in items])
        keys = {i.key for i in items}
        parked = uow.dead_letters.parked_among(spec.name, keys, shared_lock=False) if spec.ordered else set()
    delivered: list[Item] = []
    kept: list[Letter] = []
    newly_parked: dict[str, str] = {}
    queues: dict[str, list[Item]] = {}
    errors: dict[str, BaseException] = {}
    with store.read_only() as uow:
        for item in items:
            if item.event_id in seen:
                continue  # delivered (or kept) before
            seen.add(item.event_id)
            queue = item.key if spec.ordered else item.event_id
            if queue in queues:
                queues[queue].append(item)  # held behind the key's failing event
            elif item.problem is not None:
                kept.append(letter(item, "dead", item.problem, attempts=1))
                if spec.ordered:
                    newly_parked[item.key] = item.problem
                    parked.add(item.key)
            elif item.key in parked:
                kept.append(letter(item, "parked"))
            else:
                try:
                    call(spec, item, uow, traced)
                    delivered.append(item)
                except Exception as exc:
                    if store_failure(exc):
                        raise
                    queues[queue], errors[item.event_id] = [item], exc
    by_id = {i.event_id: i for i in items}
    with store.unit_of_work() as uow:
        # A key read as parked may have been released by a redrive since: its records are delivered,
        # not parked behind nothing. Read under the key's lock, as a redrive releases it under its own.
        behind = {k.key for k in kept if k.status == "parked"} - newly_parked.keys()
        released = behind - uow.dead_letters.parked_among(spec.name, behind) if behind else set()
        kept = [k for k in kept if k.key not in released or k.status != "parked"]
        claim(spec, uow, [*delivered, *(by_id[k.event_id] for k in kept)])
        for key, reason in newly_parked.items():
            uow.dead_letters.park(spec.name, key, reason, utcnow())
        uow.dead_letters.add(spec.name, kept, utcnow())
        uow.commit()
    failures.log_kept(spec, kept)
    done = (len(delivered), len(kept))
    if released:
        again = deliver(spec, store, [i for i in items if i.key in released], traced, stop)
        done = (done[0] + again[0], done[1] + again[1])
    for held in queues.values():
        more = failures.settle(spec, store, held, errors[held[0].event_id], traced, stop)
        done = (done[0] + more[0], done[1] + more[1])
    return done
