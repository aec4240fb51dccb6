"""Accept deliveries: inbox row, mapping, domain state and outbox rows in one transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from hub.clock import utcnow
from hub.intake.delivery import Delivery, Receipt
from hub.intake.emit import Origin, commit_drafts
from hub.intake.fit import fitted, printable, storable_json
from hub.intake.isolation import describe, normalize, refusal
from hub.mapping.result import Deferred, Draft, Ignored, Mapped, Outcome, Quarantined
from hub.project import Project
from hub.store import Store, UnitOfWork, inbox
from hub.store.fetches import Fetches

log = logging.getLogger(__name__)


def _status(outcome: Outcome) -> str:
    return (
        "mapped"
        if isinstance(outcome, Mapped)
        else "quarantined"
        if isinstance(outcome, Quarantined)
        else "deferred"
        if isinstance(outcome, Deferred)
        else "ignored"
    )


Prepared = tuple[Delivery, Outcome]


class IntakeService:
    def __init__(
        self,
        project: Project,
        store: Store,
        on_commit: Callable[[], None] | None = None,
        *,
        lifecycle: bool = True,
    ) -> None:
        self.project = project
        self.store = store
        self.on_commit = on_commit
        # False: order events are published as mapped, without the order state machine (the benchmark's
        # baseline, and transport tests that replay one status stream over and over).
        self.lifecycle = lifecycle

    def accept(
        self, deliveries: Sequence[Delivery], *, also: Callable[[UnitOfWork], None] | None = None
    ) -> list[Receipt | Exception]:
        """Commit a batch together (one fsync). What goes wrong for one delivery is that delivery's
        quarantine; an Exception in the answer means only that the store could not commit it.

        `also` writes in the same unit of work (a pull stream's cursor moves with its page). When the batch
        has to be split, every delivery is committed first and `also` after them, only if all of them
        were: a crash in between fetches the page again, and the inbox dedupe makes that a no-op."""
        # Mapping is pure, so it runs before the write transaction opens and holds no lock.
        batch = [self._prepare(d) for d in deliveries]
        if also is None:
            return self._store(batch)
        try:
            receipts: list[Receipt | Exception] = list(self._committed(batch, also))
        except Exception as exc:
            log.warning("intake batch of %d failed (%s); storing one by one", len(batch), describe(exc))
            receipts = [receipt for prepared in batch for receipt in self._store([prepared])]
            failed = next((r for r in receipts if isinstance(r, Exception)), None)
            if failed is not None:  # the page is pulled again; its cursor stays where it was
                raise failed from exc
            with self.store.unit_of_work(pinned=True) as uow:
                also(uow)
                uow.commit()
            return receipts
        if self.on_commit is not None:
            self.on_commit()
        return receipts

    def _prepare(self, delivery: Delivery) -> Prepared:
        d = fitted(delivery)
        if d.problem is not None:
            return d, Quarantined(None, d.problem)
        outcome = normalize(
            self.project,
            d.connector,
            d.payload,
            account=d.account,
            route=d.route,
            received_at=d.received_at,
            headers=d.headers,
        )
        return d, outcome

    def _store(self, batch: list[Prepared]) -> list[Receipt | Exception]:
        try:
            receipts: list[Receipt | Exception] = list(self._committed(batch))
        except Exception as exc:
            if len(batch) == 1:
                return [self._refused(batch[0], exc)]
            # Isolate the culprit: each delivery in its own transaction, in arrival order.
            log.warning("intake batch of %d failed (%s); storing one by one", len(batch), describe(exc))
            return [receipt for prepared in batch for receipt in self._store([prepared])]
        if self.on_commit is not None:
            self.on_commit()
        return receipts

    def _refused(self, prepared: Prepared, exc: Exception) -> Receipt | Exception:
        """One delivery whose unit of work failed. If the store refused one of its values, it is kept whole
        in quarantine with that reason, like any delivery that does not map. Otherwise the store is
        failing: the answer is the error (503, nothing stored)."""
        d = prepared[0]
        reason = refusal(self.store, exc)
        if reason is None:
            return exc  # the caller answers or logs it
        log.warning("%s: delivery %s quarantined: %s", d.connector, d.dedupe_key, reason)
        try:
            receipt = self._committed([(d, Quarantined(None, reason))])[0]
        except Exception as second:
            return second
        if self.on_commit is not None:
            self.on_commit()
        return receipt

    def _committed(
        self, batch: Sequence[Prepared], also: Callable[[UnitOfWork], None] | None = None
    ) -> list[Receipt]:
        """`batch` written and committed in one unit of work, on the committer thread's own connection."""
        with self.store.unit_of_work(pinned=True) as uow:
            receipts = self._commit(uow, batch)
            if also is not None:
                also(uow)
            uow.commit()
        return receipts

    def _commit(self, uow: UnitOfWork, batch: Sequence[Prepared]) -> list[Receipt]:
        now = utcnow()
        deliveries = [d for d, _ in batch]
        outcomes = [outcome for _, outcome in batch]
        first: dict[tuple[str, str], int] = {}
        rows = []
        for index, (d, outcome) in enumerate(zip(deliveries, outcomes, strict=True)):
            key = (d.connector, d.dedupe_key)
            if key in first:
                continue
            first[key] = index
            rows.append(
                inbox.NewInboxRow(
                    connector=d.connector,
                    dedupe_key=d.dedupe_key,
                    account=d.account,
                    route=d.route,
                    received_at=d.received_at,
                    content_type=d.content_type,
                    body=d.body,
                    traceparent=d.traceparent,
                    status=_status(outcome),
                    note=printable(outcome.reason) if isinstance(outcome, Ignored | Deferred) else None,
                    headers=d.headers,
                )
            )
        ids = uow.inbox.insert_new(rows)

        receipts: list[Receipt | None] = [None] * len(deliveries)
        to_emit: list[tuple[Origin, list[Draft]]] = []
        held: list[dict[str, object]] = []
        for key, index in first.items():
            d, outcome = deliveries[index], outcomes[index]
            inbox_id = ids.get(key)
            if inbox_id is None:
                receipts[index] = Receipt("duplicate", None)
            elif isinstance(outcome, Mapped):
                to_emit.append((Origin(inbox_id, d.connector, d.dedupe_key, d.traceparent), outcome.drafts))
            elif isinstance(outcome, Deferred):
                fetch = (d.connector, outcome.mapping, d.account, outcome.key, inbox_id, now.timestamp())
                uow.get(Fetches).enqueue(*fetch)
                receipts[index] = Receipt("accepted", inbox_id, reason=printable(outcome.reason))
            elif isinstance(outcome, Quarantined):
                held.append(_quarantine_row(inbox_id, d.connector, outcome))
                receipts[index] = Receipt("quarantined", inbox_id, reason=printable(outcome.reason))
            else:
                receipts[index] = Receipt("ignored", inbox_id, reason=printable(outcome.reason))

        written = commit_drafts(uow, to_emit, now, self.project.inventory, lifecycle=self.lifecycle)
        for origin, _ in to_emit:
            index = first[(origin.connector, origin.dedupe_key)]
            result = written[origin.inbox_id]
            if isinstance(result, str):
                mapping = outcomes[index].mapping
                held.append(_quarantine_row(origin.inbox_id, origin.connector, Quarantined(mapping, result)))
                uow.inbox.set_status(origin.inbox_id, "quarantined")
                receipts[index] = Receipt("quarantined", origin.inbox_id, reason=printable(result))
            else:
                receipts[index] = Receipt("accepted", origin.inbox_id, events=result)
        uow.quarantine.add(held, now)
        return [r if r is not None else Receipt("duplicate", None) for r in receipts]


def _quarantine_row(inbox_id: int, connector: str, outcome: Quarantined) -> dict[str, object]:
    return {
        "inbox_id": inbox_id,
        "connector": connector,
        "mapping": outcome.mapping,
        "reason": printable(outcome.reason),
        "detail": storable_json(outcome.detail) if outcome.detail else None,
    }
