"""One sync per (connector, stream, account) at a time, whichever process starts it (`hub up`, Dagster, a
person running `hub pull`): a lease in the store, renewed by a heartbeat while the sync runs."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from hub.store import Store
from hub.store.pull_state import PullStates

TTL_S = 30.0
HOST = socket.gethostname()


class StreamBusy(RuntimeError):
    pass


def _alive(owner: str) -> bool:
    """Whether the owner may still be running: on this host its process must exist; elsewhere, unknown."""
    host, _, rest = owner.partition(":")
    if host != HOST:
        return True
    try:
        os.kill(int(rest.split(":", 1)[0]), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def stream_lease(store: Store, connector: str, stream: str, account: str) -> Iterator[None]:
    owner = f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    with store.unit_of_work() as uow:
        holder = uow.get(PullStates).claim(connector, stream, account, owner, time.time(), TTL_S, _alive)
        uow.commit()
    if holder is not None:
        raise StreamBusy(f"{connector} {stream} ({account}) is being pulled by {holder}")
    stop = threading.Event()

    def heartbeat() -> None:
        while not stop.wait(TTL_S / 3):
            with store.unit_of_work() as uow:
                uow.get(PullStates).renew(connector, stream, account, owner, time.time() + TTL_S)
                uow.commit()

    beat = threading.Thread(target=heartbeat, name=f"lease-{connector}-{stream}", daemon=True)
    beat.start()
    try:
        yield
    finally:
        stop.set()
        beat.join()
        with store.unit_of_work() as uow:
            uow.get(PullStates).renew(connector, stream, account, owner, None)
            uow.commit()
