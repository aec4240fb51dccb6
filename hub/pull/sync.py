"""One sync of one stream for one account: page by page into the intake, each page's records and the
walk's progress (or the new cursor) committed in one transaction, so a sync killed at any point resumes
where it was with nothing lost; records it pulls twice are duplicates the inbox turns away."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from hub.api.accounts import Account
from hub.api.client import ApiClient, Call
from hub.api.errors import ApiError
from hub.api.templates import Values, render, render_strings
from hub.connectors.stream_spec import Attach, Stream
from hub.intake.delivery import Delivery
from hub.intake.identity import Identity
from hub.intake.service import IntakeService
from hub.jsonio import dumps_exact, loads
from hub.pull import cursor as cursors
from hub.pull.pages import Page, first, following
from hub.pull.records import PageShape, field_of, records_of
from hub.store.pull_state import PullStates

log = logging.getLogger(__name__)


@dataclass
class Progress:
    """What a sync did so far; `hub pull` draws it, `hub up` logs it."""

    pages: int = 0
    records: int = 0
    accepted: int = 0
    duplicates: int = 0
    waits: int = 0
    waited_s: float = 0.0
    listeners: list[Any] = field(default_factory=list)

    def waited(self, seconds: float) -> None:
        self.waits += 1
        self.waited_s += seconds
        self._tell()

    def paged(self, records: int, accepted: int, duplicates: int) -> None:
        self.pages += 1
        self.records += records
        self.accepted += accepted
        self.duplicates += duplicates
        self._tell()

    def _tell(self) -> None:
        for listener in self.listeners:
            listener(self)


class StreamSync:
    def __init__(
        self,
        intake: IntakeService,
        account: Account,
        stream_name: str,
        stream: Stream,
        client: ApiClient,
        shape: PageShape,
        progress: Progress | None = None,
    ) -> None:
        self.intake, self.account, self.name, self.stream = intake, account, stream_name, stream
        self.client, self.shape = client, shape
        self.progress = progress or Progress()
        self.identity = Identity.compile(account.connector, lambda p: p, stream.dedupe, stream.account_field)
        self.values = Values(vars=account.vars, secrets=account.secrets)

    @property
    def _key(self) -> tuple[str, str, str]:
        return self.account.connector, self.name, self.account.name

    def run(self, since: datetime | None = None, stop: threading.Event | None = None) -> Progress:
        """Walk to the end, or until `stop` is set (checked between pages: the walk stays stored)."""
        store = self.intake.store
        with store.unit_of_work() as uow:
            state = uow.get(PullStates).read(*self._key)
            uow.get(PullStates).started(*self._key, datetime.now(UTC))
            uow.commit()
        resumed = state is not None and state.walk is not None and since is None
        walk = (
            state.walk
            if resumed and state is not None
            else self._new_walk(state.cursor if state else None, since)
        )
        error = None
        try:
            # The next page is requested while this one is mapped and committed; a kill in between only
            # loses a request (the stored walk still names that page).
            with ThreadPoolExecutor(1, thread_name_prefix="pull-ahead") as pool:
                ahead: Future[httpx.Response] | None = None
                while walk is not None and not (stop is not None and stop.is_set()):
                    walk, resumed, ahead = self._page(walk, resumed, ahead, pool)
        except ApiError as exc:
            error = str(exc)
            raise
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            with store.unit_of_work() as uow:
                uow.get(PullStates).finished(
                    *self._key, datetime.now(UTC), error, stopped=walk is not None and error is None
                )
                uow.commit()
        return self.progress

    def _new_walk(self, cursor: str | None, since: datetime | None) -> dict[str, Any]:
        inc = self.stream.incremental
        now = datetime.now(UTC)
        if inc is None:
            return {"windows": [[None, None]], "page": None, "max_seen": None}
        end = now - cursors.duration(inc.settle)
        if since is not None:
            start = since
        elif cursor is not None:
            start = datetime.fromisoformat(cursor) - cursors.duration(inc.lookback)
        else:
            start = now - cursors.duration(inc.start)
        spans = cursors.windows(start, end, inc.window)
        return {
            "windows": [[cursors.text(a), cursors.text(b)] for a, b in spans],
            "page": None,
            "max_seen": None,
        }

    def _first_page(self, window: list[str | None]) -> Page:
        query = render_strings(self.stream.request.query, self.values)
        body = render(self.stream.request.body, self.values)
        inc = self.stream.incremental
        if inc is not None and window[0] is not None:
            params = {inc.param: cursors.render_time(datetime.fromisoformat(window[0]), inc.format)}
            if inc.end_param and window[1] is not None:
                params[inc.end_param] = cursors.render_time(datetime.fromisoformat(window[1]), inc.format)
            if inc.into == "body":
                body = {**(body or {}), **{k: _typed(v, inc.format) for k, v in params.items()}}
            else:
                query.update(params)
        return first(self.stream.pagination, query, body)

    def _call(self, operation: str, page: Page, path_params: dict[str, Any]) -> Call:
        return Call(operation, path_params, page["query"], page["body"], page["url"])

    def _page(
        self,
        walk: dict[str, Any],
        resumed: bool,
        ahead: Future[httpx.Response] | None,
        pool: ThreadPoolExecutor,
    ) -> tuple[dict[str, Any] | None, bool, Future[httpx.Response] | None]:
        window = walk["windows"][0]
        page = walk["page"] or self._first_page(window)
        path_params = render(self.stream.request.path_params, self.values)
        try:
            if ahead is not None:
                response = ahead.result()
            else:
                response = self.client.send(self._call(self.stream.operation, page, path_params))
        except ApiError as exc:
            if resumed and walk["page"] is not None and exc.status == 400:
                # A stored page token the marketplace no longer takes (Amazon's expire after 24 h): walk
                # this window again from its start; what was stored already is a duplicate now.
                log.warning("%s %s: stored page refused (%s); restarting the window", *self._key[:2], exc)
                return {**walk, "page": None}, False, None
            raise
        answer = loads(response.content)
        records = records_of(answer, self.shape.records)
        for attach in self.stream.attach:
            for record in records:
                record[attach.as_] = self._attached(attach, record)
        max_seen = self._max_seen(walk.get("max_seen"), records)
        following_page = following(
            self.stream.pagination, page, response, answer, len(records), self.account.base_url
        )
        new_cursor = None
        next_walk: dict[str, Any] | None
        if following_page is not None:
            next_walk = {**walk, "page": following_page, "max_seen": max_seen}
        elif len(walk["windows"]) > 1:
            next_walk = {"windows": walk["windows"][1:], "page": None, "max_seen": max_seen}
        else:
            next_walk = None
            inc = self.stream.incremental
            new_cursor = max_seen
            if inc is not None and inc.window and window[1] is not None:
                new_cursor = max(filter(None, [max_seen, window[1]]))
        if following_page is not None:
            ahead = pool.submit(
                self.client.send, self._call(self.stream.operation, following_page, path_params)
            )
        else:
            ahead = None
        deliveries = [self._delivery(r) for r in records]
        receipts = self.intake.accept(
            deliveries,
            also=lambda uow: uow.get(PullStates).page_done(
                *self._key, walk=next_walk, cursor=new_cursor, records=len(records)
            ),
        )
        accepted = sum(1 for r in receipts if not isinstance(r, Exception) and r.status != "duplicate")
        self.progress.paged(len(records), accepted, len(receipts) - accepted)
        return next_walk, False, ahead

    def _attached(self, attach: Attach, record: dict[str, Any]) -> list[Any]:
        params = {k: field_of(record, path) for k, path in attach.path_params.items()}
        page: Page | None = first(attach.pagination, {}, None)
        found: list[Any] = []
        while page is not None:
            response = self.client.send(self._call(attach.operation, page, params))
            answer = loads(response.content)
            items = records_of(answer, attach.records)
            found.extend(items)
            page = following(attach.pagination, page, response, answer, len(items), self.account.base_url)
        return found

    def _max_seen(self, seen: str | None, records: list[dict[str, Any]]) -> str | None:
        inc = self.stream.incremental
        if inc is None:
            return None
        best = datetime.fromisoformat(seen) if seen else None
        for record in records:
            moment = cursors.to_time(field_of(record, inc.cursor), inc.record_format or inc.format)
            if moment is not None and (best is None or moment > best):
                best = moment
        return cursors.text(best) if best is not None else None

    def _delivery(self, record: dict[str, Any]) -> Delivery:
        body = dumps_exact(record)
        key, account = self.identity.of(record, body)
        return Delivery(
            connector=self.account.connector,
            body=body,
            payload=record,
            dedupe_key=key,
            received_at=datetime.now(UTC),
            account=account or self.account.id,
            route=self.shape.route,
        )


def _typed(value: str, fmt: str) -> Any:
    """Epoch times go into JSON bodies as numbers (TikTok's update_time_ge is an int)."""
    return int(value) if fmt in ("epoch_s", "epoch_ms") else value
