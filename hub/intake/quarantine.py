"""Look at quarantined payloads and re-normalize them with the current mappings."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.clock import utcnow
from hub.intake.emit import Origin, commit_drafts
from hub.intake.fit import printable, storable_json
from hub.intake.isolation import normalize_stored, refusal
from hub.jsonio import MalformedJSON, loads
from hub.mapping.result import Ignored, Mapped
from hub.project import Project
from hub.store import Store, UnitOfWork
from hub.store.inbox import InboxRow
from hub.store.quarantine import QuarantineEntry

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RetryResult:
    entry_id: int
    status: str  # mapped | ignored | quarantined | resolved-already
    events: int = 0
    reason: str | None = None


class QuarantineService:
    def __init__(self, project: Project | None, store: Store) -> None:
        self.project = project
        self.store = store

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
            written = commit_drafts(uow, [(origin, outcome.drafts)], now)[row.id]
            if isinstance(written, str):
                return self._still_failing(uow, entry_id, written, None, now)
            uow.quarantine.resolve(entry_id, row.id, "mapped", now)
            return RetryResult(entry_id, "mapped", events=written)
        if isinstance(outcome, Ignored):
            reason = printable(outcome.reason)
            uow.quarantine.resolve(entry_id, row.id, "ignored", now)
            uow.inbox.set_status(row.id, "ignored", reason)
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
