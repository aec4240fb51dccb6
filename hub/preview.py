"""What intake would record about a payload before mapping it, for `hub map` and the golden tests: its
dedupe key and account (computed by the connector's intake identity, hub/intake/identity.py), the route
(its routing, unless a pull stream names the mapping) and the request headers it keeps."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.intake.identity import delivery_identity
from hub.mapping.result import Outcome
from hub.project import Project


@dataclass(frozen=True)
class Delivery:
    connector: str
    payload: Any
    dedupe_key: str | None  # None: a pulled record, which intake does not dedupe by a delivery key
    account: str | None
    route: str | None  # None: chosen by the connector's routing, as for a webhook or queue delivery
    received_at: datetime | None
    headers: dict[str, str] | None = None  # the request headers intake keeps with the delivery

    def normalize(self, project: Project) -> Outcome:
        return project.normalize(
            self.connector,
            self.payload,
            account=self.account,
            route=self.route,
            received_at=self.received_at,
            headers=self.headers,
        )


def as_intake_would(
    project: Project,
    connector: str,
    payload: Any,
    body: bytes,
    *,
    route: str | None = None,
    account: str | None = None,
    received_at: datetime | None = None,
    headers: Mapping[str, str] | None = None,
) -> Delivery:
    """A delivery (no route given) gets the dedupe key, account, route and kept headers the receiver or SQS
    poller computes (from its request `headers`); an account given explicitly wins. A pulled record (a
    route given) keeps what it is given."""
    key, kept = None, dict(headers) if headers else None
    identity = delivery_identity(project.connector(connector)) if route is None else None
    if identity is not None:
        key, found = identity.of(payload, body, headers)
        account = account if account is not None else found
        route, kept = identity.route(payload, headers), identity.headers(headers)
    return Delivery(connector, payload, key, account, route, received_at, kept)
