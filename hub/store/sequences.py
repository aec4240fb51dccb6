"""Per-key sequences: allocated inside the intake transaction so they follow commit order."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from hub.store.repository import Repository


class Sequences(Repository):
    def allocate(self, keys: Sequence[str]) -> list[int]:
        """One sequence number per entry of `keys` (repeats get consecutive numbers).

        A later transaction of the same key waits for this one's commit (a row lock, or the database's
        write lock) and gets a higher number: per key, sequence order is commit order. Keys are bumped in
        sorted order, so two writers never deadlock on the same pair of keys.
        """
        if not keys:
            return []
        counts = Counter(keys)
        last = self.backend.bump_sequences(self.conn, [(k, counts[k]) for k in sorted(counts)])
        next_seq = {k: last[k] - counts[k] + 1 for k in counts}
        result = []
        for key in keys:
            result.append(next_seq[key])
            next_seq[key] += 1
        return result
