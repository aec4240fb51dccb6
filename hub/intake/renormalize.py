"""Re-normalize the payloads received in a date range with the current mappings (after a mapping fix).

Quarantined payloads are retried exactly as `hub quarantine retry` does. Payloads that mapped or were
ignored are mapped again, and only events that did not exist before are written: event ids derive from
the delivery and the emitter, so a fact already emitted keeps its id and is skipped, while an event the
fixed mapping newly produces (an ignored type now routed, a new emitter) is committed with its domain
state like any intake. Published outbox rows are the record of what was emitted, so a mapped payload
received before the retention cutoff (its rows may be cleaned up) is left alone and counted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from hub.clock import utcnow
from hub.ids import event_id
from hub.intake.emit import Origin, commit_drafts
from hub.intake.isolation import normalize_stored, refusal
from hub.intake.quarantine import QuarantineService
from hub.jsonio import MalformedJSON, loads
from hub.mapping.result import Draft, Mapped, Quarantined
from hub.project import Project
from hub.store import Store, UnitOfWork
from hub.store.inbox import InboxRow
from hub.store.rerun import Rerun

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Renormalized:
    start: datetime
    end: datetime
    retried: int = 0  # open quarantine entries of the range that were tried
    resolved: int = 0  # of those, now mapped or deliberately ignored
    rerun: int = 0  # mapped or ignored payloads mapped again
    events: int = 0  # events written, from both
    too_old: int = 0  # mapped payloads older than the retention cutoff, left alone
    failing: int = 0  # payloads that still (or now) do not map

    @property
    def still_quarantined(self) -> int:
        return self.retried - self.resolved


class Renormalizer:
    def __init__(self, project: Project, store: Store, retention: timedelta) -> None:
        self.project = project
        self.store = store
        self.retention = retention

    def run(self, start: datetime, end: datetime, connector: str | None = None) -> Renormalized:
        with self.store.read_only() as uow:
            held = uow.get(Rerun).open_quarantine_ids(start, end, connector)
            stored = uow.get(Rerun).stored_ids(start, end, connector, ("mapped", "ignored"))
        retried = QuarantineService(self.project, self.store).retry(held)
        resolved = [r for r in retried if r.status in ("mapped", "ignored", "resolved-already")]
        events, too_old, failing = sum(r.events for r in retried), 0, len(retried) - len(resolved)
        cutoff = utcnow() - self.retention
        for inbox_id in stored:
            outcome = self._again_alone(inbox_id, cutoff)
            if outcome is None:
                too_old += 1
            elif isinstance(outcome, str):
                failing += 1
            else:
                events += outcome
        return Renormalized(start, end, len(retried), len(resolved), len(stored), events, too_old, failing)

    def _again_alone(self, inbox_id: int, cutoff: datetime) -> int | str | None:
        """`_again` in a unit of work of its own: a payload whose new events the store refuses is
        reported as failing, and the next one is mapped again."""
        try:
            with self.store.unit_of_work() as uow:
                outcome = self._again(uow, inbox_id, cutoff)
                uow.commit()
            return outcome
        except Exception as exc:
            reason = refusal(self.store, exc)
            if reason is None:
                raise  # the store is failing, not this payload
        log.warning("inbox row %d: not re-normalized: %s", inbox_id, reason)
        return reason

    def _again(self, uow: UnitOfWork, inbox_id: int, cutoff: datetime) -> int | str | None:
        """New events written for one stored payload; a string says why it does not map; None: too old."""
        row = uow.inbox.get(inbox_id)
        assert row is not None
        if row.status == "mapped" and row.received_at < cutoff:
            return None
        drafts = self._drafts(row)
        if isinstance(drafts, str):
            return drafts
        ids = {d.local_id: event_id(row.connector, row.dedupe_key, d.local_id) for d in drafts}
        known = uow.get(Rerun).existing_event_ids(list(ids.values()))
        new = [d for d in drafts if ids[d.local_id] not in known]
        if not new:
            return 0
        origin = Origin(row.id, row.connector, row.dedupe_key, row.traceparent)
        written = commit_drafts(uow, [(origin, new)], utcnow(), self.project.inventory)[row.id]
        if isinstance(written, int) and row.status != "mapped":
            uow.inbox.set_status(row.id, "mapped")
        return written

    def _drafts(self, row: InboxRow) -> list[Draft] | str:
        if row.connector not in self.project.connectors:
            return f"connector {row.connector!r} is not loaded (HUB_CONNECTORS?)"
        try:
            payload = loads(row.body)
        except MalformedJSON as exc:
            return str(exc)
        outcome = normalize_stored(self.project, row, payload)
        if isinstance(outcome, Mapped):
            return list(outcome.drafts)
        # A payload that emitted events and now fails is reported, not quarantined: its events stand.
        if isinstance(outcome, Quarantined) and row.status == "mapped":
            return outcome.reason
        return []
