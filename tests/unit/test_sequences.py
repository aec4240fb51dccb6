"""Per-key sequences on SQLite: consecutive numbers per key, repeats within one batch included."""

from __future__ import annotations

from pathlib import Path

from hub.store import Store


def test_sequences_count_up_per_key_across_batches(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'hub.db'}")
    store.migrate()
    with store.unit_of_work() as uow:
        assert uow.sequences.allocate(["b", "a", "b", "c"]) == [1, 1, 2, 1]
        assert uow.sequences.allocate(["a", "a", "c"]) == [2, 3, 2]
        uow.commit()
    with store.unit_of_work() as uow:
        assert uow.sequences.allocate(["c", "c", "c", "z"]) == [3, 4, 5, 1]
        assert uow.sequences.allocate([]) == []
    store.dispose()
