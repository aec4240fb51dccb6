"""What the sandbox remembers: issued tokens, rate buckets, injected faults, the request log, what was
pushed to it, and the orders it serves."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from hub.sandbox.config import Limit, SandboxSpec
from hub.sandbox.orders import Order

# How late a request may arrive against its rate slot before it counts as a burst: a client that keeps
# its budget exactly still sees its requests land with network jitter.
JITTER_S = 0.25


@dataclass
class Fault:
    marketplace: str
    operation: str  # "*" for any
    kind: str  # "429" | "500" | "503" | "expire_token" | "hang"
    count: int
    retry_after: float | None = None


@dataclass
class Logged:
    at: float
    marketplace: str
    operation: str
    account: str | None
    status: int
    throttled: bool = False
    injected: str | None = None


@dataclass
class Bucket:
    """GCRA (a token bucket as times): a request conforms when it arrives no earlier than tat - tau."""

    limit: Limit
    tat: float = 0.0

    def admit(self, now: float) -> bool:
        interval = 1.0 / self.limit.rps
        tau = interval * (self.limit.burst - 1) + JITTER_S
        tat = max(self.tat, now)
        if tat - now > tau:
            return False
        self.tat = tat + interval
        return True


@dataclass
class Tokens:
    ttl_s: int
    issued: dict[str, tuple[str, float]] = field(default_factory=dict)  # token -> (account, expires)
    refreshes: int = 0

    def issue(self, account: str) -> tuple[str, float]:
        token = secrets.token_urlsafe(24)
        expires = time.time() + self.ttl_s
        self.issued[token] = (account, expires)
        self.refreshes += 1
        return token, expires

    def account_of(self, token: str | None) -> str | None:
        found = self.issued.get(token or "")
        if found is None or found[1] < time.time():
            return None
        return found[0]

    def expire_all(self) -> None:
        self.issued = {t: (a, 0.0) for t, (a, _) in self.issued.items()}


class State:
    def __init__(self, specs: dict[str, SandboxSpec]) -> None:
        self.specs = specs
        self.lock = threading.RLock()
        self.log: list[Logged] = []
        self.faults: list[Fault] = []
        self.buckets: dict[tuple[str, str, str], Bucket] = {}
        self.tokens = {name: Tokens(spec.token_ttl_s) for name, spec in specs.items()}
        self.limits = {name: dict(spec.rate_limits) for name, spec in specs.items()}
        self.limits_on = True
        self.pushed: list[dict[str, Any]] = []  # every write an action made: inventory, shipments, acks
        self.orders: dict[tuple[str, str], Order] = {}  # (marketplace, order id) -> order
        self.sequence = 0
        self.rejected_skus: set[str] = set()  # inventory pushes of these SKUs are refused (partial failure)

    def push(
        self, marketplace: str, operation: str, account: str, headers: dict[str, str], body: Any, **about: str
    ) -> None:
        """Record a write an action made, as received (tests compare auth, body and idempotency key)."""
        with self.lock:
            self.pushed.append(
                {
                    "marketplace": marketplace,
                    "operation": operation,
                    "account": account,
                    "headers": headers,
                    "body": body,
                    **about,
                }
            )

    def record_call(self, marketplace: str, operation: str, account: str | None, status: int) -> None:
        self.record(Logged(time.time(), marketplace, operation, account, status))

    def accounts(self, marketplace: str) -> dict[str, str]:
        """account name -> account id."""
        return {name: a.id for name, a in self.specs[marketplace].accounts.items()}

    def fault(self, marketplace: str, operation: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if (
                    fault.marketplace == marketplace
                    and fault.operation in ("*", operation)
                    and fault.count > 0
                ):
                    fault.count -= 1
                    if fault.kind == "expire_token":
                        self.tokens[marketplace].expire_all()
                        continue
                    return fault
        return None

    def admit(self, marketplace: str, account: str, operation: str) -> bool:
        limit = self.limits.get(marketplace, {}).get(operation)
        if limit is None or not self.limits_on:
            return True
        with self.lock:
            key = (marketplace, account, operation)
            bucket = self.buckets.get(key)
            if bucket is None or bucket.limit != limit:
                bucket = self.buckets[key] = Bucket(limit)
            return bucket.admit(time.monotonic())

    def record(self, entry: Logged) -> None:
        with self.lock:
            self.log.append(entry)

    def next_sequence(self) -> int:
        with self.lock:
            self.sequence += 1
            return self.sequence
