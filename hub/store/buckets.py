"""Token buckets in the store: every process that calls an operation for an account draws from one."""

from __future__ import annotations

from sqlalchemy import and_, select, update

from hub.store.pull_tables import rate_buckets
from hub.store.repository import Repository


def _key(connector: str, account: str, operation: str) -> object:
    c = rate_buckets.c
    return and_(c.connector == connector, c.account == account, c.operation == operation)


class Buckets(Repository):
    """The shared rate budgets."""

    def reserve(
        self, connector: str, account: str, operation: str, rps: float, burst: int, now: float
    ) -> float:
        """Reserve one request; return how long to wait before sending it. Reservations queue up (the
        bucket goes negative), so concurrent callers are spaced instead of all retrying at once."""
        self.conn.execute(
            self.backend.insert(rate_buckets)
            .values(
                connector=connector,
                account=account,
                operation=operation,
                tokens=float(burst),
                stamp=now,
                rps=rps,
                burst=burst,
            )
            .on_conflict_do_nothing(index_elements=["connector", "account", "operation"])
        )
        query = select(rate_buckets.c.tokens, rate_buckets.c.stamp, rate_buckets.c.rps, rate_buckets.c.burst)
        query = query.where(_key(connector, account, operation))  # type: ignore[arg-type]
        row = self.conn.execute(self.backend.lock(query)).one()
        tokens, stamp, rate, size = float(row[0]), float(row[1]), float(row[2]), int(row[3])
        tokens = min(float(size), tokens + max(0.0, now - stamp) * rate) - 1.0
        self.conn.execute(
            update(rate_buckets)
            .where(_key(connector, account, operation))  # type: ignore[arg-type]
            .values(tokens=tokens, stamp=max(now, stamp))
        )
        return 0.0 if tokens >= 0 else -tokens / rate

    def set_rate(self, connector: str, account: str, operation: str, rps: float) -> None:
        """The marketplace told the current rate (x-amzn-RateLimit-Limit): use it from now on."""
        self.conn.execute(
            update(rate_buckets)
            .where(_key(connector, account, operation))  # type: ignore[arg-type]
            .where(rate_buckets.c.rps != rps)
            .values(rps=rps)
        )

    def drain(self, connector: str, account: str, operation: str, now: float) -> None:
        """A 429 says the marketplace's bucket is empty: empty ours too, so every process slows down."""
        self.conn.execute(
            update(rate_buckets)
            .where(_key(connector, account, operation))  # type: ignore[arg-type]
            .where(rate_buckets.c.tokens > 0)
            .values(tokens=0.0, stamp=now)
        )
