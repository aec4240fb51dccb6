"""stable_id is uuid5 computed by hand (it runs for every accepted delivery and event): the ids must not
change."""

from __future__ import annotations

import uuid

from hub.ids import _NAMESPACE, new_traceparent, stable_id, valid_traceparent


def test_stable_id_is_uuid5_of_the_joined_parts() -> None:
    cases = [
        ("delivery", "tiktok", "7327112393057371910"),
        ("event", "tiktok", "7327112393057371910", "0"),
        ("event", "amazon", "sha256:ab", "0.lines[A-1]"),
        ("x",),
        ("", "ünïcode", "€"),
    ]
    for parts in cases:
        assert stable_id(*parts) == str(uuid.uuid5(_NAMESPACE, "\x1f".join(parts)))
    # Enough digests for every value of the digit that carries the variant bits.
    for n in range(2000):
        parts = ("event", "tiktok", str(n), "0")
        assert stable_id(*parts) == str(uuid.uuid5(_NAMESPACE, "\x1f".join(parts)))


def test_new_traceparent_is_valid_and_fresh() -> None:
    first, second = new_traceparent(), new_traceparent()
    assert valid_traceparent(first) == first
    assert first != second
