"""Drafts become events: domain rules, per-key sequences, envelopes and outbox rows, in one transaction."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from hub.domain.errors import DomainRefused
from hub.domain.inventory import Ledger
from hub.domain.policy import InventoryPolicy
from hub.events.base import EventData
from hub.events.catalog import dataschema_uri
from hub.events.envelope import Event, validate
from hub.events.stock import InventoryAdjusted
from hub.ids import TRACEPARENT_PATTERN, new_traceparent, stable_id
from hub.intake.fit import Unfit, limit, printable, unfit
from hub.intake.isolation import unexpected
from hub.intake.rules import DomainRules, Kept, settled
from hub.intake.rules import Origin as Origin  # re-exported: intake and its tools build origins
from hub.mapping.drafts import event_json
from hub.mapping.result import Draft, keys_of
from hub.store import UnitOfWork
from hub.store.tables import outbox as outbox_table

log = logging.getLogger(__name__)

_TRACEPARENT = re.compile(TRACEPARENT_PATTERN)
# Partition keys, SKUs and locations share one width (outbox, key_sequences, inventory_levels).
_KEY_CHARS = limit(outbox_table.c.partition_key)


def settle(ledger: Ledger, drafts: list[Draft]) -> Kept:
    """The drafts with the ledger's fields (no order lifecycle): for tools that map one payload."""
    kept: Kept = []
    for draft in drafts:
        kept.extend(settled(ledger, draft) if issubclass(draft.event, InventoryAdjusted) else [(draft, {})])
    return kept


def _completed(event: type[EventData], data: dict[str, Any], completion: dict[str, int]) -> dict[str, Any]:
    """The draft's JSON form with the domain's fields, validated as the full event type."""
    return event_json(event, {**data, **completion}, text_times=True)


@dataclass(frozen=True, slots=True)
class Unnumbered:
    """An event built and checked but for its sequence, which `numbered` gives it: sequences are
    allocated once every delivery's events are built, so a delivery whose events fail leaves no gap in
    any key's sequence."""

    attributes: dict[str, Any]  # the envelope's, all but the sequence
    versioned: bool  # the data's `version` is the sequence (a domain field)


def envelope(
    origin: Origin,
    draft: Draft,
    completion: dict[str, int],
    delivery_id: str,
    traceparent: str,
) -> Unnumbered:
    """One draft as an event: the domain's fields filled in, its id and trace context; Unfit when the
    store could not hold one of its values."""
    event = draft.event
    data = draft.json
    versioned = "version" in event.DOMAIN_FIELDS
    if event.DOMAIN_FIELDS:
        if versioned:
            completion = {**completion, "version": 1}  # the sequence, once numbered
        data = _completed(event, data, completion)
    event_id = origin.event_id(draft.local_id)
    source = f"/connectors/{origin.connector}"
    key, subject = keys_of(event, data)  # checked by _unfit_keys before the store was read
    try:
        orjson.dumps(data)  # as the outbox will write it: data it cannot serialize fails here, not there
    except TypeError as exc:  # orjson's refusal: an integer beyond 64 bits, a lone surrogate
        raise Unfit(f"{event.TYPE}: the data cannot be serialized: {exc}") from None
    attributes = {
        "id": event_id,
        "source": source,
        "type": event.TYPE,
        "subject": subject,
        "time": data["occurred_at"],
        "dataschema": dataschema_uri(event),
        "partitionkey": key,
        "correlationid": delivery_id,
        "causationid": delivery_id,
        "traceparent": traceparent,
        "data": data,
    }
    if not _TRACEPARENT.match(traceparent):
        validate({**attributes, "sequence": 1})  # refuses it, worded as for any envelope from outside
    return Unnumbered(attributes, versioned)


def numbered(event: Unnumbered, seq: int) -> Event:
    if not event.versioned:
        return Event(**event.attributes, sequence=seq)
    data = {**event.attributes["data"], "version": seq}
    return Event(**{**event.attributes, "data": data}, sequence=seq)


def _unfit_keys(drafts: list[Draft]) -> str | None:
    """Why the store could not look up or hold a draft's keys: its partition key and subject (an order's
    channel and id, which the order's state is read by), an inventory draft's SKU and location."""
    for draft in drafts:
        key, subject = keys_of(draft.event, draft.json)
        for name, value, chars in (("partition key", key, _KEY_CHARS), ("subject", subject, None)):
            why = unfit(value, chars)
            if why is not None:
                return f"{draft.event.TYPE}: the {name} {printable(value, 80)!r} {why}"
        if issubclass(draft.event, InventoryAdjusted):
            for name in ("sku", "location"):
                value = draft.json[name]
                why = unfit(value, _KEY_CHARS)
                if why is not None:
                    return f"InventoryAdjusted: the {name} {printable(value, 80)!r} {why}"
    return None


def _events(origin: Origin, rules: DomainRules, drafts: list[Draft]) -> list[Unnumbered] | str:
    """A delivery's events, unnumbered, with what it decided kept by `rules`; or why the domain refused
    them. Anything that goes wrong for this delivery is its own reason, never the batch's."""
    delivery_id = stable_id("delivery", origin.connector, origin.dedupe_key)
    traceparent = origin.traceparent or new_traceparent()

    def build(kept: Kept) -> list[Unnumbered]:
        return [envelope(origin, d, c, delivery_id, traceparent) for d, c in kept]

    try:
        return rules.admit(origin, drafts, build)
    except (DomainRefused, Unfit) as exc:
        return str(exc)
    except Exception as exc:
        reason = unexpected("building its events", exc)
        log.warning("%s: payload quarantined: %s", origin.connector, reason, exc_info=True)
        return reason


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
    result: dict[int, int | str] = {}
    checked: list[tuple[Origin, list[Draft]]] = []
    for origin, drafts in items:
        try:
            why = _unfit_keys(drafts)
        except Exception as exc:
            why = unexpected("reading its keys", exc)
        if why is None:
            checked.append((origin, drafts))
        else:
            result[origin.inbox_id] = why
    rules = DomainRules(uow, policy or InventoryPolicy(), lifecycle=lifecycle)
    built: list[tuple[Origin, list[Unnumbered]]] = []
    for origin, drafts in rules.load(checked):
        unnumbered = _events(origin, rules, drafts)
        if isinstance(unnumbered, str):
            result[origin.inbox_id] = unnumbered
        else:
            built.append((origin, unnumbered))

    pending = [event for _, unnumbered in built for event in unnumbered]
    seqs = uow.sequences.allocate([e.attributes["partitionkey"] for e in pending])
    events = [numbered(event, seq) for event, seq in zip(pending, seqs, strict=True)]
    for origin, unnumbered in built:
        result[origin.inbox_id] = len(unnumbered)
    uow.outbox.append(events, now)
    rules.save(events, now)
    return result, events
