"""Look at quarantined payloads and re-normalize them with the current mappings."""

from __future__ import annotations

import getpass
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.clock import utcnow
from hub.intake.emit import Origin, commit_drafts
from hub.intake.fit import printable, storable_json
from hub.intake.isolation import normalize_stored, refusal
from hub.jsonio import MalformedJSON, loads
from hub.mapping.result import Deferred, Ignored, Mapped
from hub.project import Project
from hub.store import Store, UnitOfWork
from hub.store.fetches import Fetches
from hub.store.inbox import InboxRow
from hub.store.quarantine import QuarantineEntry
from hub.store.quarantine_audit import AuditEntry, QuarantineAudit

log = logging.getLogger(__name__)


def operator() -> str:
    """Who runs this: the audit trail's actor."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name for this uid (a container)
        return "unknown"


@dataclass(frozen=True, slots=True)
class Held:
    """One delivery in quarantine, as a person inspects it."""

    entry: QuarantineEntry
    row: InboxRow
    trail: list[AuditEntry]


@dataclass(frozen=True, slots=True)
class RetryResult:
    entry_id: int
    status: str  # mapped | ignored | deferred | quarantined | resolved-already
    events: int = 0
    reason: str | None = None


class QuarantineService:
    def __init__(self, project: Project | None, store: Store, actor: str | None = None) -> None:
        self.project = project
        self.store = store
        self.actor = actor or operator()

    def delivery(self, inbox_id: int) -> Held | None:
        """A quarantined delivery by the id the receiver answered with (`inbox_id`)."""
        with self.store.read_only() as uow:
            entry = uow.quarantine.of_delivery(inbox_id)
            row = uow.inbox.get(inbox_id) if entry else None
            trail = uow.get(QuarantineAudit).of_delivery(inbox_id) if entry else []
        return Held(entry, row, trail) if entry and row else None

    def entry_ids(self, inbox_ids: list[int]) -> list[int]:
        """Entry ids of deliveries; KeyError naming the ids that are not in quarantine."""
        with self.store.read_only() as uow:
            found = {i: uow.quarantine.of_delivery(i) for i in inbox_ids}
        missing = [str(i) for i, e in found.items() if e is None]
        if missing:
            raise KeyError(f"no quarantined delivery with id {', '.join(missing)} (see hub quarantine ls)")
        return [e.id for e in found.values() if e is not None]

    def discard(self, inbox_id: int, reason: str) -> QuarantineEntry:
        """Give up on a held delivery on purpose: it leaves the open quarantine, its payload stays in the
        inbox, and the audit trail keeps who discarded it, when and why."""
        if not reason.strip():
            raise ValueError("say why the delivery is discarded (--reason)")
        now = utcnow()
        with self.store.unit_of_work() as uow:
            entry = uow.quarantine.of_delivery(inbox_id)
            entry = uow.quarantine.lock_open(entry.id) if entry else None
            if entry is None:
                raise KeyError(f"no open quarantine entry for delivery {inbox_id} (see hub quarantine ls)")
            uow.quarantine.resolve(entry.id, inbox_id, "discarded", now)
            uow.get(QuarantineAudit).add(inbox_id, "discarded", reason, self.actor, now)
            uow.commit()
        return entry

    def entries(self, connector: str | None = None) -> list[QuarantineEntry]:
        with self.store.read_only() as uow:
            return uow.quarantine.open_entries(connector)

    def show(self, entry_id: int) -> tuple[QuarantineEntry, InboxRow] | None:
        with self.store.read_only() as uow:
            entry = uow.quarantine.get(entry_id)
            row = uow.inbox.get(entry.inbox_id) if entry else None
        return (entry, row) if entry and row else None

    def retry(self, entry_ids: list[int] | None = None) -> list[RetryResult]:
        ids = entry_ids if entry_ids is not None else [e.id for e in self.entries()]
        return [self._retry(entry_id) for entry_id in ids]

    def _retry(self, entry_id: int) -> RetryResult:
        """One entry in a unit of work of its own: what goes wrong for it stays its own."""
        try:
            with self.store.unit_of_work() as uow:
                result = self._retry_one(uow, entry_id)
                uow.commit()
            return result
        except Exception as exc:
            reason = refusal(self.store, exc)
            if reason is None:
                raise  # the store is failing, not this entry: the command stops with the error
        log.warning("quarantine entry %d stays quarantined: %s", entry_id, reason)
        with self.store.unit_of_work() as uow:
            if uow.quarantine.lock_open(entry_id) is None:
                return RetryResult(entry_id, "resolved-already")
            uow.quarantine.still_failing(entry_id, reason, None, utcnow())
            uow.commit()
        return RetryResult(entry_id, "quarantined", reason=reason)

    def _retry_one(self, uow: UnitOfWork, entry_id: int) -> RetryResult:
        assert self.project is not None, "retry needs the project's mappings"
        now = utcnow()
        entry = uow.quarantine.lock_open(entry_id)
        if entry is None:
            return RetryResult(entry_id, "resolved-already")
        row = uow.inbox.get(entry.inbox_id)
        assert row is not None
        try:
            payload = loads(row.body)
        except MalformedJSON as exc:
            return self._still_failing(uow, entry_id, str(exc), None, now)
        if row.connector not in self.project.connectors:
            reason = f"connector {row.connector!r} is not loaded (HUB_CONNECTORS?)"
            return RetryResult(entry_id, "quarantined", reason=reason)
        outcome = normalize_stored(self.project, row, payload)
        if isinstance(outcome, Mapped):
            origin = Origin(row.id, row.connector, row.dedupe_key, row.traceparent)
            written = commit_drafts(uow, [(origin, outcome.drafts)], now, self.project.inventory)[row.id]
            if isinstance(written, str):
                return self._still_failing(uow, entry_id, written, None, now)
            uow.quarantine.resolve(entry_id, row.id, "mapped", now)
            uow.get(QuarantineAudit).add(row.id, "mapped", f"{written} event(s)", self.actor, now)
            return RetryResult(entry_id, "mapped", events=written)
        if isinstance(outcome, Deferred):  # fetched again; the fetch resolves or re-quarantines it
            fetch = (row.connector, outcome.mapping, row.account, outcome.key, row.id, now.timestamp())
            uow.get(Fetches).enqueue(*fetch)
            uow.quarantine.resolve(entry_id, row.id, "deferred", now)
            return RetryResult(entry_id, "deferred", reason=outcome.reason)
        if isinstance(outcome, Ignored):
            reason = printable(outcome.reason)
            uow.quarantine.resolve(entry_id, row.id, "ignored", now)
            uow.inbox.set_status(row.id, "ignored", reason)
            uow.get(QuarantineAudit).add(row.id, "ignored", reason, self.actor, now)
            return RetryResult(entry_id, "ignored", reason=reason)
        return self._still_failing(uow, entry_id, outcome.reason, outcome.detail or None, now)

    @staticmethod
    def _still_failing(
        uow: UnitOfWork, entry_id: int, reason: str, detail: dict[str, Any] | None, now: datetime
    ) -> RetryResult:
        """The entry stays quarantined with its new reason and detail, as every column stores them."""
        reason = printable(reason)
        uow.quarantine.still_failing(entry_id, reason, storable_json(detail) if detail else None, now)
        return RetryResult(entry_id, "quarantined", reason=reason)
