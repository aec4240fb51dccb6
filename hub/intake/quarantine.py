"""Look at quarantined payloads and re-normalize them with the current mappings."""

from __future__ import annotations

from dataclasses import dataclass

from hub.clock import utcnow
from hub.intake.emit import Origin, commit_drafts
from hub.intake.fit import printable, storable_json
from hub.intake.isolation import normalize
from hub.jsonio import MalformedJSON, loads
from hub.mapping.result import Ignored, Mapped
from hub.project import Project
from hub.store import Store, inbox, quarantine
from hub.store.inbox import InboxRow
from hub.store.quarantine import QuarantineEntry


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
        with self.store.transaction() as conn:
            return quarantine.open_entries(conn, connector)

    def show(self, entry_id: int) -> tuple[QuarantineEntry, InboxRow] | None:
        with self.store.transaction() as conn:
            entry = quarantine.get(conn, entry_id)
            row = inbox.get(conn, entry.inbox_id) if entry else None
        return (entry, row) if entry and row else None

    def retry(self, entry_ids: list[int] | None = None) -> list[RetryResult]:
        ids = entry_ids if entry_ids is not None else [e.id for e in self.entries()]
        return [self._retry_one(entry_id) for entry_id in ids]

    def _retry_one(self, entry_id: int) -> RetryResult:
        assert self.project is not None, "retry needs the project's mappings"
        now = utcnow()
        with self.store.transaction() as conn:
            entry = quarantine.lock_open(conn, entry_id)
            if entry is None:
                return RetryResult(entry_id, "resolved-already")
            row = inbox.get(conn, entry.inbox_id)
            assert row is not None
            try:
                payload = loads(row.body)
            except MalformedJSON as exc:
                quarantine.still_failing(conn, entry_id, str(exc), None, now)
                return RetryResult(entry_id, "quarantined", reason=str(exc))
            if row.connector not in self.project.connectors:
                reason = f"connector {row.connector!r} is not loaded (HUB_CONNECTORS?)"
                return RetryResult(entry_id, "quarantined", reason=reason)
            outcome = normalize(
                self.project,
                row.connector,
                payload,
                account=row.account,
                route=row.route,
                received_at=row.received_at,
            )
            if isinstance(outcome, Mapped):
                origin = Origin(row.id, row.connector, row.dedupe_key, row.traceparent)
                written = commit_drafts(conn, [(origin, outcome.drafts)], now)[row.id]
                if isinstance(written, str):
                    quarantine.still_failing(conn, entry_id, printable(written), None, now)
                    return RetryResult(entry_id, "quarantined", reason=written)
                quarantine.resolve(conn, entry_id, row.id, "mapped", now)
                return RetryResult(entry_id, "mapped", events=written)
            if isinstance(outcome, Ignored):
                quarantine.resolve(conn, entry_id, row.id, "ignored", now)
                inbox.set_status(conn, row.id, "ignored", outcome.reason)
                return RetryResult(entry_id, "ignored", reason=outcome.reason)
            detail = storable_json(outcome.detail) if outcome.detail else None
            quarantine.still_failing(conn, entry_id, printable(outcome.reason), detail, now)
            return RetryResult(entry_id, "quarantined", reason=outcome.reason)
