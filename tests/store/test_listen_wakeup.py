"""The relay's PostgreSQL waker: a commit with outbox rows anywhere wakes it, and it survives losing
its listening connection."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import psycopg
import pytest

from hub.store import Store
from hub.store.postgres.listen import ListenWakeup, libpq_dsn
from tests.contract.feed import commit_in
from tests.support.hubproc import wait_for

LONG_S = 30.0  # a waker that missed the commit would sleep this long


@pytest.fixture
def waker(store: Store) -> Iterator[ListenWakeup]:
    made = store.wakeup()
    assert isinstance(made, ListenWakeup)
    wait_for(lambda: made.listening, message="LISTEN")
    made.wait(0)  # the wake-up every (re)connection starts with
    yield made
    made.close()


def commit_later(store: Store, delay_s: float) -> threading.Thread:
    def run() -> None:
        time.sleep(delay_s)
        with store.unit_of_work() as uow:
            commit_in(uow, ["wake"])
            uow.commit()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def woken_after(waker: ListenWakeup) -> float:
    began = time.monotonic()
    waker.wait(LONG_S)
    return time.monotonic() - began


def test_a_commit_from_another_connection_wakes_the_relay(store: Store, waker: ListenWakeup) -> None:
    writer = commit_later(store, 0.3)
    assert woken_after(waker) < LONG_S / 3
    writer.join()


LISTENING_PIDS = (
    "SELECT pid FROM pg_stat_activity WHERE query LIKE 'LISTEN%%' AND datname = current_database()"
)


def test_it_listens_again_after_losing_its_connection(store: Store, waker: ListenWakeup) -> None:
    # The first retry comes without delay, so the moment without a listener can be shorter than any
    # poll: a new backend listening is what shows the connection was replaced.
    with psycopg.connect(libpq_dsn(store.url), autocommit=True) as admin:
        (before,) = admin.execute(LISTENING_PIDS).fetchall()
        killed = admin.execute("SELECT pg_terminate_backend(%s)", before).fetchall()
        assert killed == [(True,)]

        def listening_anew() -> bool:
            pids = admin.execute(LISTENING_PIDS).fetchall()
            return bool(pids) and before not in pids and waker.listening

        wait_for(listening_anew, timeout=30, message="LISTEN again on a new connection")
    waker.wait(0)
    writer = commit_later(store, 0.3)
    assert woken_after(waker) < LONG_S / 3
    writer.join()
