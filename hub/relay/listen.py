"""Wake the relay the moment an outbox row commits anywhere: PostgreSQL's LISTEN on a connection of its own.

Intake sends `NOTIFY hub_outbox` in its transaction (hub.store.notify); PostgreSQL delivers it at
commit. The poll interval stays as the fallback: while the listening connection is down, `wait` never
sleeps longer than `poll_s`, and after reconnecting it wakes once for whatever committed meanwhile.
"""

from __future__ import annotations

import logging
import threading

import psycopg
from sqlalchemy import make_url

from hub.relay.wakeup import Wakeup
from hub.store import Store
from hub.store.notify import CHANNEL

log = logging.getLogger(__name__)

_RECHECK_S = 0.5  # how often the listening thread looks up from the socket to see whether to stop


def libpq_dsn(sqlalchemy_url: str) -> str:
    return make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(hide_password=False)


class ListenWakeup(Wakeup):
    def __init__(self, dsn: str, poll_s: float = 0.1) -> None:
        super().__init__(poll_s)
        self.dsn = dsn
        self._listening = threading.Event()
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="relay-listen", daemon=True)
        self._thread.start()

    @property
    def listening(self) -> bool:
        return self._listening.is_set()

    def wait(self, timeout_s: float) -> None:
        # While listening, any commit wakes us, so sleeping the whole timeout adds no latency.
        limit = timeout_s if self._listening.is_set() else min(timeout_s, self.poll_s)
        self._event.wait(limit)
        self._event.clear()

    def close(self) -> None:
        self._closing.set()
        self._thread.join(timeout=5)

    def _listen(self) -> None:
        backoff = 0.5
        while not self._closing.is_set():
            try:
                with psycopg.connect(self.dsn, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._listening.set()
                    self._event.set()  # rows may have committed while we were not listening
                    backoff = 0.5
                    while not self._closing.is_set():
                        for _ in conn.notifies(timeout=_RECHECK_S):
                            self._event.set()
            except psycopg.Error as exc:
                if self._listening.is_set():
                    log.warning("relay LISTEN connection lost (%s); polling until it is back", exc)
                self._listening.clear()
                self._closing.wait(backoff)
                backoff = min(backoff * 2, 10.0)
        self._listening.clear()


def wakeup_for(store: Store) -> Wakeup:
    """LISTEN/NOTIFY on PostgreSQL; on SQLite (one machine) signals from this process plus polling."""
    if store.backend == "postgresql":
        return ListenWakeup(libpq_dsn(store.url))
    return Wakeup()
