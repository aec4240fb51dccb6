"""Where a rewound consumer group's replay ends: records below the marks are replays, the rest live."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import delete, select

from hub.store.repository import Repository
from hub.store.tables import consumer_replays

Marks = dict[tuple[str, int], int]  # (topic, partition) -> the first offset that is not a replay


class ReplayMarks(Repository):
    def set(self, group: str, ends: Mapping[tuple[str, int], int], at: datetime) -> None:
        """A rewind of `group`: what the log holds now (below `ends`) is replayed history."""
        self.conn.execute(delete(consumer_replays).where(consumer_replays.c.group_name == group))
        if ends:
            self.conn.execute(
                consumer_replays.insert(),
                [
                    {
                        "group_name": group,
                        "topic": t,
                        "log_partition": p,
                        "until_offset": end,
                        "rewound_at": at,
                    }
                    for (t, p), end in ends.items()
                ],
            )

    def of(self, group: str) -> Marks:
        query = select(
            consumer_replays.c.topic, consumer_replays.c.log_partition, consumer_replays.c.until_offset
        )
        return {
            (t, p): int(end)
            for t, p, end in self.conn.execute(query.where(consumer_replays.c.group_name == group))
        }
