"""Shared API access tokens: one row per (connector, account), refreshed under a lease by one worker."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, or_, select, update

from hub.store.pull_tables import api_tokens
from hub.store.repository import Repository


@dataclass(frozen=True, slots=True)
class TokenRow:
    token: str | None
    expires_at: float | None
    generation: int
    lease_owner: str | None
    lease_until: float | None


def _key(connector: str, account: str) -> object:
    return and_(api_tokens.c.connector == connector, api_tokens.c.account == account)


class Tokens(Repository):
    """API access tokens of one store."""

    def read(self, connector: str, account: str) -> TokenRow | None:
        row = self.conn.execute(
            select(
                api_tokens.c.token,
                api_tokens.c.expires_at,
                api_tokens.c.generation,
                api_tokens.c.lease_owner,
                api_tokens.c.lease_until,
            ).where(_key(connector, account))  # type: ignore[arg-type]
        ).first()
        return TokenRow(*row) if row is not None else None

    def claim(self, connector: str, account: str, owner: str, now: float, lease_s: float) -> bool:
        """Take the right to refresh, unless another worker holds an unexpired lease."""
        self.conn.execute(
            self.backend.insert(api_tokens)
            .values(connector=connector, account=account, generation=0)
            .on_conflict_do_nothing(index_elements=["connector", "account"])
        )
        result = self.conn.execute(
            update(api_tokens)
            .where(_key(connector, account))  # type: ignore[arg-type]
            .where(or_(api_tokens.c.lease_until.is_(None), api_tokens.c.lease_until < now))
            .values(lease_owner=owner, lease_until=now + lease_s)
        )
        return result.rowcount == 1

    def put(self, connector: str, account: str, owner: str, token: str, expires_at: float) -> None:
        self.conn.execute(
            update(api_tokens)
            .where(_key(connector, account))  # type: ignore[arg-type]
            .where(api_tokens.c.lease_owner == owner)
            .values(
                token=token,
                expires_at=expires_at,
                generation=api_tokens.c.generation + 1,
                lease_owner=None,
                lease_until=None,
            )
        )

    def release(self, connector: str, account: str, owner: str) -> None:
        self.conn.execute(
            update(api_tokens)
            .where(_key(connector, account))  # type: ignore[arg-type]
            .where(api_tokens.c.lease_owner == owner)
            .values(lease_owner=None, lease_until=None)
        )

    def refused(self, connector: str, account: str, generation: int) -> None:
        """The marketplace refused this generation: forget it, once, whoever saw the refusal first."""
        self.conn.execute(
            update(api_tokens)
            .where(_key(connector, account))  # type: ignore[arg-type]
            .where(api_tokens.c.generation == generation)
            .values(token=None, expires_at=None)
        )
