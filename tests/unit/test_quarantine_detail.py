"""A quarantine detail as stored: a mapping table's known values listed whole, a payload value bounded, and
what was left out said, never silently dropped."""

from __future__ import annotations

from hub.intake.fit import DETAIL_ITEMS, storable_json


def test_known_values_of_a_large_table_are_kept_whole() -> None:
    known = [f"STATUS_{n}" for n in range(120)]
    assert storable_json({"known": known, "value": "NEW"}) == {"known": known, "value": "NEW"}


def test_a_list_beyond_the_limit_says_how_many_were_left_out() -> None:
    stored = storable_json({"value": list(range(DETAIL_ITEMS + 7)), "big": {str(n): n for n in range(250)}})
    assert stored["value"] == [*range(DETAIL_ITEMS), "... 7 more"]
    assert len(stored["big"]) == DETAIL_ITEMS + 1 and stored["big"]["..."] == f"{250 - DETAIL_ITEMS} more"


def test_values_no_column_takes_are_made_storable() -> None:
    stored = storable_json({"value": "nul\x00 and \ud800", "n": 2**70, "text": "x" * 5000})
    assert stored["value"] == "nul\\x00 and \\ud800"
    assert stored["n"] == "<an integer of 71 bits>"
    assert stored["text"].startswith("x" * 200) and stored["text"].endswith("(5000 characters)")
