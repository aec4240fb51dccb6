"""A batch with a failing event: applied event by event, the failures retried, then kept as dead letters.

Each event is applied in a savepoint, so a failing one takes back only its own effects and its claim (a
crash before it is settled delivers it again). In a group ordered per key, the events of a key behind a
failing one are held, in order. Then each failing event is retried with the group's policy; one that
still fails becomes a dead letter (with its error and attempts) and, when ordered, parks its key with the
events held behind it. A handler that raises ParkKey is not retried.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

from hub import metrics
from hub.clock import utcnow
from hub.consumers.apply import Item, ParkKey, call, claim, describe, letter, store_failure
from hub.consumers.registry import GroupSpec
from hub.retry import Interrupted, attempts
from hub.store import Store
from hub.store.dead_letters import Letter
from hub.store.group_errors import GroupErrors

log = logging.getLogger(__name__)


def apply_one_by_one(
    spec: GroupSpec, store: Store, items: Sequence[Item], traced: bool, stop: threading.Event
) -> tuple[int, int]:
    """(applied, kept) of `items`."""
    applied = 0
    queues: dict[str, list[Item]] = {}  # per key (ordered) or per event: the failing one first
    errors: dict[str, BaseException] = {}
    kept: list[Letter] = []
    with store.unit_of_work() as uow:
        parked = uow.dead_letters.parked_among(spec.name, {i.key for i in items}) if spec.ordered else set()
        for item in items:
            queue = item.key if spec.ordered else item.event_id
            if queue in queues:
                queues[queue].append(item)  # held behind the key's failing event
                continue
            try:
                with uow.savepoint():
                    if not claim(spec, uow, [item]):
                        continue  # handled before
                    if item.problem is not None:
                        kept.append(letter(item, "dead", item.problem, attempts=1))
                        if spec.ordered:
                            uow.dead_letters.park(spec.name, item.key, item.problem, utcnow())
                            parked.add(item.key)
                    elif item.key in parked:
                        kept.append(letter(item, "parked"))
                    else:
                        call(spec, item, uow, traced)
                        applied += 1
            except Exception as exc:
                if store_failure(exc):
                    raise
                queues[queue], errors[item.event_id] = [item], exc
        uow.dead_letters.add(spec.name, kept, utcnow())
        uow.commit()
    log_kept(spec, kept)
    done = (applied, len(kept))
    for held in queues.values():
        done = _plus(done, settle(spec, store, held, errors[held[0].event_id], traced, stop))
    return done


def _plus(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    return a[0] + b[0], a[1] + b[1]


def settle(
    spec: GroupSpec,
    store: Store,
    queue: list[Item],
    first: BaseException,
    traced: bool,
    stop: threading.Event,
) -> tuple[int, int]:
    """Retry the queue's failing event, then each one held behind it, until one is kept as a dead letter.
    (applied, kept)."""
    for index, item in enumerate(queue):
        error, tries = (first, 1) if index == 0 else (None, 0)
        if not isinstance(error, ParkKey):
            error, tries = _retry(spec, store, item, traced, stop, error, tries)
            if error is None:
                continue
        return index, _keep(spec, store, queue[index:], error, tries)
    return len(queue), 0


def _retry(
    spec: GroupSpec,
    store: Store,
    item: Item,
    traced: bool,
    stop: threading.Event,
    error: BaseException | None,
    tries: int,
) -> tuple[BaseException | None, int]:
    """The attempts the group's policy has left for `item`: (None, attempts) once one applied it, or its
    last error and the attempts made."""
    if tries >= spec.retry.max_attempts:
        return error, tries
    made = [tries]

    def attempt() -> None:
        made[0] += 1
        _apply_alone(spec, store, item, traced)

    try:
        attempts(attempt, spec.retry, stop, _what(spec, item), done=tries, give_up_on=(ParkKey,))
    except Interrupted:
        raise
    except Exception as exc:
        if store_failure(exc):
            raise
        return exc, made[0]
    return None, made[0]


def _apply_alone(spec: GroupSpec, store: Store, item: Item, traced: bool) -> None:
    if not spec.transactional:
        _deliver_alone(spec, store, item, traced)
        return
    with store.unit_of_work() as uow:
        if claim(spec, uow, [item]):
            call(spec, item, uow, traced)
        uow.commit()


def _deliver_alone(spec: GroupSpec, store: Store, item: Item, traced: bool) -> None:
    """A group whose effect is outside (outside.py): the call outside any write transaction, then its claim
    (a call already claimed is not made again)."""
    with store.read_only() as uow:
        if uow.applied.claimed(spec.name, [item.event_id]):
            return
        call(spec, item, uow, traced)
    with store.unit_of_work() as uow:
        claim(spec, uow, [item])
        uow.commit()


def _keep(spec: GroupSpec, store: Store, items: list[Item], error: BaseException, tries: int) -> int:
    """The first of `items` as a dead letter, and (ordered) its key parked with the rest behind it.
    Claimed too: a redelivery of what is kept is not applied behind the operator's back."""
    head = items[0]
    reason = describe(error)
    with store.unit_of_work() as uow:
        fresh = claim(spec, uow, items if spec.ordered else [head])
        kept = [letter(head, "dead", reason, tries)]
        kept += [letter(i, "parked") for i in items[1:] if spec.ordered and i.event_id in fresh]
        if spec.ordered:
            uow.dead_letters.park(spec.name, head.key, reason, utcnow())
        uow.dead_letters.add(spec.name, kept, utcnow())
        uow.get(GroupErrors).note(spec.name, reason, utcnow())  # the group's last error, for `hub groups`
        uow.commit()
    log_kept(spec, kept)
    return len(kept)


def log_kept(spec: GroupSpec, kept: Sequence[Letter]) -> None:
    for k in kept:
        if k.status == "dead":
            metrics.DEAD_LETTERED.labels(spec.name).inc()
            log.error(
                "consumer group %s: dead letter %s %s key %s after %d attempt(s): %s",
                spec.name,
                k.event_type or "(unreadable record)",
                k.event_id,
                k.key,
                k.attempts,
                k.error,
            )
    parked = sum(k.status == "parked" for k in kept)
    if parked:
        log.warning("consumer group %s: %d event(s) wait behind parked keys", spec.name, parked)


def _what(spec: GroupSpec, item: Item) -> str:
    return f"consumer group {spec.name}: {item.event_type} {item.event_id} (key {item.key})"
