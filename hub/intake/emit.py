"""Drafts become events: domain rules, per-key sequences, envelopes and outbox rows, in one transaction."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from hub.domain.errors import DomainRefused
from hub.domain.inventory import Ledger
from hub.domain.policy import InventoryPolicy
from hub.events.base import EventData
from hub.events.catalog import dataschema_uri
from hub.events.envelope import Event, validate
from hub.events.stock import InventoryAdjusted
from hub.ids import TRACEPARENT_PATTERN, new_traceparent, stable_id
from hub.ids import event_id as make_event_id
from hub.intake.rules import DomainRules, Kept, settled
from hub.intake.rules import Origin as Origin  # re-exported: intake and its tools build origins
from hub.mapping.drafts import event_json
from hub.mapping.result import Draft, keys_of
from hub.store import UnitOfWork

_TRACEPARENT = re.compile(TRACEPARENT_PATTERN)


def settle(ledger: Ledger, drafts: list[Draft]) -> Kept:
    """The drafts with the ledger's fields (no order lifecycle): for tools that map one payload."""
    kept: Kept = []
    for draft in drafts:
        kept.extend(settled(ledger, draft) if issubclass(draft.event, InventoryAdjusted) else [(draft, {})])
    return kept


def _completed(event: type[EventData], data: dict[str, Any], completion: dict[str, int]) -> dict[str, Any]:
    """The draft's JSON form with the domain's fields, validated as the full event type."""
    return event_json(event, {**data, **completion}, text_times=True)


def envelope(
    origin: Origin,
    draft: Draft,
    completion: dict[str, int],
    seq: int,
    delivery_id: str,
    traceparent: str,
) -> Event:
    """One draft as an event: the domain's fields filled in, its id, sequence and trace context."""
    event = draft.event
    data = draft.json
    if event.DOMAIN_FIELDS:
        if "version" in event.DOMAIN_FIELDS:
            completion = {**completion, "version": seq}
        data = _completed(event, data, completion)
    event_id = make_event_id(origin.connector, origin.dedupe_key, draft.local_id)
    source = f"/connectors/{origin.connector}"
    key, subject = keys_of(event, data)
    attributes = {
        "id": event_id,
        "source": source,
        "type": event.TYPE,
        "subject": subject,
        "time": data["occurred_at"],
        "dataschema": dataschema_uri(event),
        "partitionkey": key,
        "sequence": seq,
        "correlationid": delivery_id,
        "causationid": delivery_id,
        "traceparent": traceparent,
        "data": data,
    }
    if seq < 1 or not _TRACEPARENT.match(traceparent):
        return validate(attributes)  # refuses them, worded as for any envelope from outside
    return Event(**attributes)


def commit_drafts(
    uow: UnitOfWork,
    items: Sequence[tuple[Origin, list[Draft]]],
    now: datetime,
    policy: InventoryPolicy | None = None,
    *,
    lifecycle: bool = True,
) -> dict[int, int | str]:
    """Write the events of `items` in `uow` (the caller commits), after the domain's rules (order
    lifecycle, inventory ledger; `policy` is the project's inventory.yaml). Returns, per inbox id, how many
    events were written, or why the domain refused the payload. `lifecycle=False` publishes order events
    as mapped, without the state machine: the benchmark's baseline and transport contract tests."""
    return write_events(uow, items, now, policy, lifecycle=lifecycle)[0]


def write_events(
    uow: UnitOfWork,
    items: Sequence[tuple[Origin, list[Draft]]],
    now: datetime,
    policy: InventoryPolicy | None = None,
    *,
    lifecycle: bool = True,
) -> tuple[dict[int, int | str], list[Event]]:
    """commit_drafts, also returning the events written (for services that answer with them)."""
    rules = DomainRules(uow, policy or InventoryPolicy(), lifecycle=lifecycle)
    result: dict[int, int | str] = {}
    accepted: list[tuple[Origin, Kept]] = []
    for origin, drafts in rules.load(items):
        try:
            accepted.append((origin, rules.admit(origin, drafts)))
        except DomainRefused as exc:
            result[origin.inbox_id] = str(exc)

    keys = [draft.partition_key() for _, kept in accepted for draft, _ in kept]
    seqs = iter(uow.sequences.allocate(keys))
    events: list[Event] = []
    for origin, kept in accepted:
        delivery_id = stable_id("delivery", origin.connector, origin.dedupe_key)
        traceparent = origin.traceparent or new_traceparent()
        for draft, completion in kept:
            events.append(envelope(origin, draft, completion, next(seqs), delivery_id, traceparent))
        result[origin.inbox_id] = len(kept)
    uow.outbox.append(events, now)
    rules.save(events, now)
    return result, events
