"""Drafts become events: domain rules, per-key sequences, envelopes and outbox rows, in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from hub.domain.inventory import InventoryRuleBroken, Ledger
from hub.events import Event
from hub.events.base import EventData
from hub.events.stock import InventoryAdjusted
from hub.ids import new_traceparent, stable_id
from hub.mapping.result import Draft
from hub.store import ledger as ledger_repo
from hub.store import notify, outbox, sequences


@dataclass(frozen=True, slots=True)
class Origin:
    """Where drafts came from: the inbox row whose payload produced them."""

    inbox_id: int
    connector: str
    dedupe_key: str
    traceparent: str | None


def settle(ledger: Ledger, drafts: list[Draft]) -> list[tuple[Draft, dict[str, int]]]:
    kept = []
    for draft in drafts:
        data = draft.data
        if isinstance(data, InventoryAdjusted):
            result = ledger.settle(data.sku, data.location, delta=data.delta, on_hand=data.on_hand)
            if result is None:
                continue
            kept.append((draft, {"delta": result[0], "on_hand": result[1]}))
        else:
            kept.append((draft, {}))
    return kept


def envelope(
    origin: Origin,
    draft: Draft,
    completion: dict[str, int],
    seq: int,
    delivery_id: str,
    traceparent: str,
) -> Event:
    """One draft as an event: the domain's fields filled in, its id, sequence and trace context."""
    data: EventData = draft.data
    if draft.event.DOMAIN_FIELDS:
        if "version" in draft.event.DOMAIN_FIELDS:
            completion = {**completion, "version": seq}
        data = draft.event.model_validate({**data.model_dump(), **completion})
    return Event.create(
        data,
        event_id=stable_id("event", origin.connector, origin.dedupe_key, draft.local_id),
        source=f"/connectors/{origin.connector}",
        sequence=seq,
        correlationid=delivery_id,
        causationid=delivery_id,
        traceparent=traceparent,
    )


def commit_drafts(
    conn: Connection, items: Sequence[tuple[Origin, list[Draft]]], now: datetime
) -> dict[int, int | str]:
    """Returns, per inbox id, how many events were written, or why the domain refused the payload."""
    inventory = {
        (d.data.sku, d.data.location)
        for _, drafts in items
        for d in drafts
        if isinstance(d.data, InventoryAdjusted)
    }
    ledger = Ledger(ledger_repo.levels(conn, inventory))
    result: dict[int, int | str] = {}
    accepted: list[tuple[Origin, list[tuple[Draft, dict[str, int]]]]] = []
    for origin, drafts in items:
        trial = Ledger(dict(ledger.levels))
        try:
            kept = settle(trial, drafts)
        except InventoryRuleBroken as exc:
            result[origin.inbox_id] = str(exc)
            continue
        ledger.levels, ledger.changed = trial.levels, {**ledger.changed, **trial.changed}
        accepted.append((origin, kept))

    keys = [draft.data.partition_key() for _, kept in accepted for draft, _ in kept]
    seqs = iter(sequences.allocate(conn, keys))
    events: list[Event] = []
    for origin, kept in accepted:
        delivery_id = stable_id("delivery", origin.connector, origin.dedupe_key)
        traceparent = origin.traceparent or new_traceparent()
        for draft, completion in kept:
            events.append(envelope(origin, draft, completion, next(seqs), delivery_id, traceparent))
        result[origin.inbox_id] = len(kept)
    outbox.append(conn, events, now)
    ledger_repo.save(conn, ledger.changed, now)
    if events:
        notify.outbox_changed(conn)
    return result
