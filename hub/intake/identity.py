"""Who a delivery is from, what makes it unique and (for platforms that say it only in a header) which
mapping it goes to, read from the (unwrapped) payload or the request's headers."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any

from hub.connectors.envelopes import Unwrap
from hub.connectors.routing import STORED_VALUE
from hub.connectors.sources import Headers, Read, compile_source, header_names
from hub.mapping.context import Context, header
from hub.mapping.convert import canonical
from hub.mapping.paths import MISSING
from hub.mapping.spec import Expr

if TYPE_CHECKING:
    from hub.project import Connector

# An id or an account is text; a number standing for one has at most this many digits either side of
# the point (a dedupe key column holds 255 characters anyway).
_DIGITS = 255


@dataclass(frozen=True)
class Identity:
    connector: str
    unwrap: Unwrap
    dedupe: Read | None
    account: Read | None
    # Set when the connector routes by a request header: the header's value is read at intake and stored
    # as the delivery's route (prefixed, see hub.connectors.routing), because a stored body alone cannot
    # be routed again.
    routing: Read | None = None
    # The request headers the connector's mappings and routing read: kept with the stored delivery, so
    # re-normalizing it (a quarantine retry) reads the same values. No other header is stored.
    kept: tuple[str, ...] = ()

    @classmethod
    def compile(
        cls,
        connector: str,
        unwrap: Unwrap,
        dedupe: Expr,
        account: Expr,
        routing: Expr = None,
        kept: Sequence[str] = (),
    ) -> Identity:
        return cls(
            connector,
            unwrap,
            compile_source(dedupe) if dedupe is not None else None,
            compile_source(account) if account is not None else None,
            compile_source(routing) if routing is not None and header_names(routing) else None,
            tuple(kept),
        )

    def of(self, payload: Any, body: bytes, headers: Headers | None = None) -> tuple[str, str | None]:
        """(dedupe key, account). Some marketplaces omit their notification id: then the exact body is
        the identity."""
        inner = self._inner(payload)
        key = _value(self.dedupe, inner, self._ctx, headers) or "sha256:" + hashlib.sha256(body).hexdigest()
        return key, _value(self.account, inner, self._ctx, headers)

    def route(self, payload: Any, headers: Headers | None) -> str | None:
        """The stored route of a header-routed delivery: its routing header's value, which normalization
        looks up as it would the field (a missing header leaves it to quarantine, with the reason)."""
        if self.routing is None:
            return None
        value = _value(self.routing, self._inner(payload), self._ctx, headers)
        return None if value is None else STORED_VALUE + value

    def headers(self, headers: Headers | None) -> dict[str, str] | None:
        """The delivery's headers that are kept with it (by the names the mappings write); None if none."""
        found = {name: value for name in self.kept if isinstance(value := header(headers, name), str)}
        return found or None

    @cached_property
    def _ctx(self) -> Context:
        """The connector's context for reading identity: one per connector, not one per read."""
        return Context(self.connector)

    def _inner(self, payload: Any) -> Any:
        try:
            return self.unwrap(payload)
        except Exception:  # mapping quarantines it; the body still needs a stable key
            return payload


def _value(fn: Read | None, payload: Any, ctx: Context, headers: Mapping[str, str] | None) -> str | None:
    """The field as text, or None when the delivery has no usable one: a malformed field is the mapping's
    to report, with the payload kept, and never an error of the request."""
    if fn is None:
        return None
    try:
        value = fn(payload, ctx, headers)
        if value is MISSING or value is None or isinstance(value, dict | list):
            return None
        if isinstance(value, Decimal) and not -_DIGITS <= value.adjusted() <= _DIGITS:
            return None  # written out in full it would be megabytes of zeros
        return canonical(value)
    except Exception:  # any failure: no usable value
        return None


def delivery_identity(connector: Connector) -> Identity | None:
    """The identity intake gives the connector's deliveries: its webhook's, else its queue's (what the
    receiver and the SQS poller compile)."""
    intake = connector.webhook or connector.sqs
    if intake is None:
        return None
    return Identity.compile(
        connector.name,
        connector.unwrap,
        intake.dedupe,
        intake.account,
        connector.spec.routing.from_,
        connector.kept_headers,
    )
