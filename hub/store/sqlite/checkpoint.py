"""WAL checkpoints off the commit path, with the WAL's size bounded under sustained writes."""

from __future__ import annotations

import logging
import sqlite3
import threading

log = logging.getLogger(__name__)

INTERVAL_S = 0.5

# SQLite starts writing its WAL from the beginning again only when a write transaction begins while every
# frame is already copied into the database. Under sustained commits a PASSIVE checkpoint never catches
# up at such a moment: the WAL grew by every commit for as long as the load lasted (hundreds of MB a
# minute at the receiver's pace), and each frame written past the file's end made the filesystem
# allocate and zero new blocks on the committing thread. Past this size the next writer of this process
# runs a RESTART checkpoint before it begins, after which commits write over the file's start again.
WAL_LIMIT_BYTES = 64 * 2**20

# A RESTART checkpoint holds other writers back while it waits for the write lock and for readers to
# leave the WAL: it waits this long, then leaves it to the next round.
RESTART_WAIT_MS = 50

_BUSY_TIMEOUT_MS = 30000
_FRAME_HEADER_BYTES = 24


class Checkpointer:
    """PASSIVE WAL checkpoints on a connection of its own, every interval: they never wait for the
    write lock nor hold one, so commits go on meanwhile (sqlite3 releases the GIL while it works). A
    WAL grown past `limit_bytes` is restarted by a writer (`before_write`)."""

    def __init__(self, path: str) -> None:
        self.path, self.interval_s, self.limit_bytes = path, INTERVAL_S, WAL_LIMIT_BYTES
        self._stop = threading.Event()
        self._over_limit = threading.Event()
        self._restarting = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def before_write(self, conn: sqlite3.Connection) -> None:
        """Run by the store's writers on their own connection before each write transaction begins. The
        restart is theirs, not this thread's: a checkpointer asking for the write lock starves behind
        writers that take it back the moment they commit, while a writer between two transactions
        holds nothing. One writer at a time, once per checkpointer round."""
        if not self._over_limit.is_set() or not self._restarting.acquire(blocking=False):
            return
        try:
            # One attempt per round, busy or not: a long reader would otherwise make every write
            # transaction wait out RESTART_WAIT_MS.
            self._over_limit.clear()
            conn.execute(f"PRAGMA busy_timeout={RESTART_WAIT_MS}")
            try:
                busy, frames, _ = conn.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()
            finally:
                conn.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
            if busy:
                log.debug("WAL of %d frames not restarted: busy; the next round tries again", frames)
        except sqlite3.Error as exc:  # the write goes on; the next round tries again
            log.warning("WAL restart failed: %s", exc)
        finally:
            self._restarting.release()

    def _run(self) -> None:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        try:
            conn.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
            frame_bytes = conn.execute("PRAGMA page_size").fetchone()[0] + _FRAME_HEADER_BYTES
            while not self._stop.wait(self.interval_s):
                try:
                    _, frames, _ = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                except sqlite3.Error as exc:  # a busy database: the next round tries again
                    log.warning("WAL checkpoint failed: %s", exc)
                    continue
                if frames * frame_bytes > self.limit_bytes:
                    self._over_limit.set()
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            conn.close()
