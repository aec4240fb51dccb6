"""Wake relays the moment an outbox row commits anywhere: writers send NOTIFY in their transaction, which
PostgreSQL delivers at commit, and each relay LISTENs on a connection of its own.

The poll interval stays as the fallback: while the listening connection is down, `wait` never sleeps
longer than `poll_s`, and after reconnecting it wakes once for whatever committed meanwhile.
"""

from __future__ import annotations

import threading

import psycopg
from sqlalchemy import Connection, make_url, text

from hub.retry import retry_until
from hub.store.wakeup import Wakeup

CHANNEL = "hub_outbox"
_NOTIFY = text(f"NOTIFY {CHANNEL}")
_RECHECK_S = 0.5  # how often the listening thread looks up from the socket to see whether to stop


def notify(conn: Connection) -> None:
    conn.execute(_NOTIFY)


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
        # A lost or refused connection is a failure like any other: the next attempt comes after the
        # hub's backoff, so relays whose database restarted do not all reconnect in the same instant.
        retry_until(self._session, self._closing, "relay LISTEN connection")
        self._listening.clear()

    def _session(self) -> None:
        """Listen until closing; raise when the connection is refused or lost."""
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            self._listening.set()
            self._event.set()  # rows may have committed while we were not listening
            try:
                while not self._closing.is_set():
                    for _ in conn.notifies(timeout=_RECHECK_S):
                        self._event.set()
            finally:
                self._listening.clear()  # `wait` polls again until the next session listens
