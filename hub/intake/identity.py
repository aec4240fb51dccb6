"""Who a delivery is from and what makes it unique, read from the (unwrapped) payload."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from hub.connectors.envelopes import Unwrap
from hub.mapping.errors import MappingError
from hub.mapping.paths import MISSING
from hub.mapping.spec import Expr
from hub.mapping.values import Compiled, Context, Scope, canonical, compile_expr


@dataclass(frozen=True)
class Identity:
    connector: str
    unwrap: Unwrap
    dedupe: Compiled | None
    account: Compiled | None

    @classmethod
    def compile(cls, connector: str, unwrap: Unwrap, dedupe: Expr, account: Expr) -> Identity:
        return cls(
            connector,
            unwrap,
            compile_expr(dedupe) if dedupe is not None else None,
            compile_expr(account) if account is not None else None,
        )

    def of(self, payload: Any, body: bytes) -> tuple[str, str | None]:
        """(dedupe key, account). Some marketplaces omit their notification id: then the exact body is
        the identity."""
        try:
            inner = self.unwrap(payload)
        except MappingError:
            inner = payload  # mapping quarantines it; the body still needs a stable key
        scope = Scope(inner, inner, Context(self.connector))
        key = _value(self.dedupe, scope) or "sha256:" + hashlib.sha256(body).hexdigest()
        return key, _value(self.account, scope)


def _value(fn: Compiled | None, scope: Scope) -> str | None:
    if fn is None:
        return None
    try:
        value = fn(scope)
    except MappingError:
        return None  # a malformed field is the mapping's to report, with the payload kept
    return None if value is MISSING or value is None else canonical(value)
