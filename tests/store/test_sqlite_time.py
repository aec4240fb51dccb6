"""How SQLite keeps a moment (hub/store/sqlite/time.py): text in UTC without offset, always with
microseconds, the same for a UTC moment (the fast path) and one with any other offset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from hub.store.sqlite.time import to_text


def test_a_moment_is_text_in_utc_with_microseconds() -> None:
    assert to_text(datetime(2026, 11, 25, 4, 33, 3, 867000, tzinfo=UTC)) == "2026-11-25 04:33:03.867000"
    assert to_text(datetime(2026, 11, 25, tzinfo=UTC)) == "2026-11-25 00:00:00.000000"
    assert to_text(datetime(1, 1, 1, tzinfo=UTC)) == "0001-01-01 00:00:00.000000"
    east = datetime(2026, 11, 25, 5, 33, 3, 1, tzinfo=timezone(timedelta(hours=1)))
    assert to_text(east) == "2026-11-25 04:33:03.000001"


def test_a_moment_without_offset_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        to_text(datetime(2026, 11, 25))
