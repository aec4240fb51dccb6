"""What an operator does with dead letters: redrive and drop (the `hub dlq` verbs). How many there are is
hub.health.dead_letters(store), the number the Dagster check, /metrics and `hub status` show.

A redrive applies what was kept through the group's own handler, in one transaction with a savepoint per
event: in a group ordered per key, the dead letter first and then the events parked behind it, in the order
they came, and the key is released once all of them applied; the first that fails again stops the key
(it stays parked, with the new error). The parked key's row is locked meanwhile, so the running group
either parks a new event of that key before the redrive reads the queue, or sees the key released after.
A group calling outside (an HTTP sink) is redriven as it runs: each call outside any write transaction, the
key released under its lock once nothing of it is open (outside.py re-checks its parked keys likewise).
"""

from __future__ import annotations

import getpass
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from hub import tracing
from hub.clock import utcnow
from hub.consumers.apply import Item, call, describe, read, store_failure
from hub.consumers.registry import GroupSpec
from hub.store import Store, UnitOfWork
from hub.store.dead_letters import OPEN, DeadLetter


class NotRedrivable(ValueError):
    pass


@dataclass
class Redriven:
    applied: list[DeadLetter] = field(default_factory=list)
    failed: list[tuple[DeadLetter, str]] = field(default_factory=list)
    released: list[tuple[str, str]] = field(default_factory=list)  # (group, key)


def actor() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name for this uid (a container): still say something
        return "unknown"


def redrive(
    store: Store,
    specs: Mapping[str, GroupSpec],
    *,
    letter_id: int | None = None,
    key: str | None = None,
    group: str | None = None,
) -> Redriven:
    """Redrive one dead letter (its whole key, in a group ordered per key), every open one of `key`, or
    every open one of `group`."""
    with store.read_only() as uow:
        targets = _targets(uow, letter_id, key, group)
    done = Redriven()
    for group_name, queue_key, only in targets:
        spec = specs.get(group_name)
        if spec is None:
            raise NotRedrivable(
                f"consumer group {group_name} is not declared here: declare it again to redrive its dead "
                f"letters, or drop them (known: {', '.join(specs)})"
            )
        _redrive_queue(store, spec, queue_key, only, done)
    return done


def _targets(
    uow: UnitOfWork, letter_id: int | None, key: str | None, group: str | None
) -> list[tuple[str, str, int | None]]:
    """(group, key, one letter id or None for the key's whole queue), in the order to redrive them."""
    if letter_id is not None:
        letter = uow.dead_letters.get(letter_id)
        if letter is None:
            raise NotRedrivable(f"no dead letter {letter_id}")
        if letter.status not in OPEN:
            raise NotRedrivable(f"dead letter {letter_id} is {letter.status} already")
        return [(letter.group_name, letter.partition_key, letter.id)]
    letters = uow.dead_letters.open_letters(group)
    parked = {(p.group_name, p.partition_key) for p in uow.dead_letters.parked(group)}
    found: dict[tuple[str, str, int | None], None] = {}
    for letter in letters:
        if key is not None and letter.partition_key != key:
            continue
        whole = (letter.group_name, letter.partition_key) in parked
        found[(letter.group_name, letter.partition_key, None if whole else letter.id)] = None
    for group_name, parked_key in sorted(parked):
        if key is None or parked_key == key:  # parked by a group's own decision, with nothing kept yet
            found.setdefault((group_name, parked_key, None), None)
    if not found:
        raise NotRedrivable(
            "nothing to redrive" + (f" for key {key}" if key else "") + (f" in {group}" if group else "")
        )
    return list(found)


def _redrive_queue(store: Store, spec: GroupSpec, key: str, only: int | None, done: Redriven) -> None:
    if not spec.transactional:
        _redrive_outside(store, spec, key, only, done)
        return
    who, traced = actor(), tracing.enabled()
    with store.unit_of_work() as uow:
        parked = uow.dead_letters.lock_parked(spec.name, key) if spec.ordered else None
        queue = uow.dead_letters.queue(spec.name, key)
        if parked is not None or only is None:
            only = None  # a parked key goes as a whole, in order
        for letter in queue if only is None else [q for q in queue if q.id == only]:
            now = utcnow()
            try:
                with uow.savepoint():
                    _apply(spec, read(letter.record(), {}), uow, traced)
            except Exception as exc:
                if store_failure(exc):
                    raise
                _failed_again(uow, letter, describe(exc), who, now, done)
                uow.commit()
                return
            _redriven(uow, letter, who, now, done)
        if parked is not None:
            uow.dead_letters.release(spec.name, key)
            done.released.append((spec.name, key))
        uow.commit()


def _redrive_outside(store: Store, spec: GroupSpec, key: str, only: int | None, done: Redriven) -> None:
    """The same for a group calling outside (an HTTP sink), whose calls are made outside any write
    transaction as the running group makes them: a slow endpoint must not hold the store's write lock (all
    of SQLite) while intake waits. Each letter is resolved right after its call. The key is released under
    its lock only once no open letter of it is left: the running group may have parked more meanwhile, and
    those go first."""
    who, traced = actor(), tracing.enabled()
    while True:
        with store.read_only() as uow:
            parked = spec.ordered and bool(uow.dead_letters.parked_among(spec.name, [key], shared_lock=False))
            queue = uow.dead_letters.queue(spec.name, key)
        for letter in queue if parked or only is None else [q for q in queue if q.id == only]:
            now = utcnow()
            try:
                with store.read_only() as uow:
                    _apply(spec, read(letter.record(), {}), uow, traced)
            except Exception as exc:
                if store_failure(exc):
                    raise
                with store.unit_of_work() as uow:
                    _failed_again(uow, letter, describe(exc), who, now, done)
                    uow.commit()
                return
            with store.unit_of_work() as uow:
                _redriven(uow, letter, who, now, done)
                uow.commit()
        if not parked:
            return
        with store.unit_of_work() as uow:
            if uow.dead_letters.lock_parked(spec.name, key) is None:
                return  # released by another redrive meanwhile
            if uow.dead_letters.queue(spec.name, key):
                continue  # parked behind it while we called: those first, then release
            uow.dead_letters.release(spec.name, key)
            uow.commit()
        done.released.append((spec.name, key))
        return


def _failed_again(
    uow: UnitOfWork, letter: DeadLetter, why: str, who: str, now: datetime, done: Redriven
) -> None:
    uow.dead_letters.failed_again(letter.id, why, now)
    uow.dead_letters.note(letter.id, "failed", why, who, now)
    done.failed.append((letter, why))


def _redriven(uow: UnitOfWork, letter: DeadLetter, who: str, now: datetime, done: Redriven) -> None:
    uow.dead_letters.resolve(letter.id, "redriven", now)
    uow.dead_letters.note(letter.id, "redriven", None, who, now)
    done.applied.append(letter)


def _apply(spec: GroupSpec, item: Item, uow: UnitOfWork, traced: bool) -> None:
    if item.problem is not None:
        raise ValueError(item.problem)
    if not spec.wants(item.event_type or ""):
        return  # the group no longer takes this type: nothing to apply
    call(spec, item, uow, traced)


def drop(store: Store, letter_id: int, reason: str) -> DeadLetter:
    """Give up on a dead letter (or a parked event) for good, with why; kept in the audit trail. A parked
    key whose queue is then empty is released."""
    if not reason.strip():
        raise ValueError("say why: --reason is required")
    with store.unit_of_work() as uow:
        letter = uow.dead_letters.get(letter_id)
        if letter is None:
            raise NotRedrivable(f"no dead letter {letter_id}")
        parked = uow.dead_letters.lock_parked(letter.group_name, letter.partition_key)
        letter = uow.dead_letters.get(letter_id)
        assert letter is not None
        if letter.status not in OPEN:
            raise NotRedrivable(f"dead letter {letter_id} is {letter.status} already")
        now = utcnow()
        uow.dead_letters.resolve(letter_id, "dropped", now)
        uow.dead_letters.note(letter_id, "dropped", reason, actor(), now)
        if parked is not None and not uow.dead_letters.queue(letter.group_name, letter.partition_key):
            uow.dead_letters.release(letter.group_name, letter.partition_key)
        uow.commit()
    return letter
