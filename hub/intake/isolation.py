"""Whose fault a failure is: one delivery's (it is quarantined, its neighbours go on) or the store's (the
request is answered 503 and nothing of it is stored)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import exc as sa

from hub.intake.fit import printable
from hub.mapping.context import Headers
from hub.mapping.result import Outcome, Quarantined
from hub.project import Project
from hub.store import Store
from hub.store.inbox import InboxRow

log = logging.getLogger(__name__)


def describe(exc: BaseException) -> str:
    """An exception in one line, without the SQL parameters and statement a driver error carries (they
    hold payload values: personal data)."""
    inner = exc.orig if isinstance(exc, sa.DBAPIError) and exc.orig is not None else exc
    try:
        text = str(inner)
    except Exception:  # an exception whose message cannot even be rendered
        text = ""
    first = text.strip().splitlines()[0] if text.strip() else ""
    name = type(inner).__name__
    return printable(f"{name}: {first}" if first else name, 500)


def unexpected(stage: str, exc: BaseException) -> str:
    """The quarantine reason for an exception that no rule foresaw."""
    return f"{stage} failed unexpectedly: {describe(exc)}"


def refused_by_store(store: Store, exc: BaseException) -> bool:
    """True only when the store refused this delivery's values: PEP 249's IntegrityError or DataError (a
    check, a length, a NUL), or a value the driver could not bind at all (an integer beyond 64 bits, text
    that is not UTF-8). Anything else (the database gone, locked, full, read-only, a dropped connection,
    an error of unknown kind) is the store's failure: the request is answered 503, never quarantined."""
    inner = exc.orig if isinstance(exc, sa.StatementError) and exc.orig is not None else exc
    dbapi = store.engine.dialect.loaded_dbapi
    if isinstance(inner, dbapi.IntegrityError | dbapi.DataError):
        return True
    if isinstance(inner, dbapi.Error | sa.SQLAlchemyError):
        return False
    return isinstance(inner, ValueError | TypeError | OverflowError)  # UnicodeEncodeError is a ValueError


def refusal(store: Store, exc: BaseException) -> str | None:
    """The quarantine reason when the store refused the values of what it was given (see
    `refused_by_store`); None when the store itself is failing."""
    if not refused_by_store(store, exc):
        return None
    return printable(f"the store refused its rows: {describe(exc)}")


def normalize(
    project: Project,
    connector: str,
    payload: Any,
    *,
    account: str | None,
    route: str | None,
    received_at: datetime | None,
    headers: Headers | None = None,
) -> Outcome:
    """Project.normalize, with any exception it was not meant to raise turned into this payload's
    quarantine reason: a limit or a bug met by one payload never reaches the batch."""
    try:
        return project.normalize(
            connector, payload, account=account, route=route, received_at=received_at, headers=headers
        )
    except Exception as exc:
        reason = unexpected("mapping", exc)
        log.warning("%s: payload quarantined: %s", connector, reason, exc_info=True)
        return Quarantined(None, reason)


def normalize_stored(project: Project, row: InboxRow, payload: Any) -> Outcome:
    """`normalize` of a stored delivery's payload, with what was stored of its receipt (account, route,
    time): what a retry or a re-normalization maps."""
    return normalize(
        project,
        row.connector,
        payload,
        account=row.account,
        route=row.route,
        received_at=row.received_at,
        headers=row.headers,
    )
