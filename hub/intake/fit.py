"""What a row of the store can hold, checked before the write.

A value that a column refuses (too long for PostgreSQL's VARCHAR, a NUL character, a lone surrogate that
is not UTF-8, an integer beyond 64 bits) would fail the whole transaction, and with it every delivery
committed alongside. So each delivery's values are checked on their own, before the transaction; the
limits are read off the table definitions, the strictest of both backends.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import replace
from decimal import Decimal
from typing import Any

from sqlalchemy import Column

from hub.intake.delivery import Delivery
from hub.store.tables import inbox

INT64 = range(-(2**63), 2**63)
REASON_CHARS = 2000  # a quarantine reason quotes values; a 10 MB value is named, not copied
DETAIL_DEPTH = 8
# Items kept per list or object of a detail: a mapping table's known values (detail["known"]) are listed
# whole up to this many; beyond it the detail says how many were left out.
DETAIL_ITEMS = 200


class Unfit(ValueError):
    """A value of one delivery that the store cannot hold; the delivery is quarantined with this reason."""


def limit(column: Column[Any]) -> int | None:
    length: int | None = getattr(column.type, "length", None)
    return length


def unfit(text: str, chars: int | None) -> str | None:
    """Why `text` cannot go into a text column of `chars` characters on either backend, or None."""
    if chars is not None and len(text) > chars:
        return f"longer than {chars} characters"
    if "\x00" in text:
        return "contains a NUL character"
    try:
        text.encode()
    except UnicodeEncodeError:
        return "is not valid Unicode (it holds a lone surrogate)"
    return None


def printable(text: str, chars: int = REASON_CHARS) -> str:
    """Text every text column takes: NUL and lone surrogates escaped, cut at `chars` characters."""
    if len(text) > chars:
        text = f"{text[:chars]}... ({len(text)} characters)"
    if "\x00" in text:
        text = text.replace("\x00", "\\x00")
    try:
        text.encode()
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode()
    return text


def storable_json(value: Any, depth: int = 0) -> Any:
    """A quarantine detail as a JSON column takes it: strings printable, integers within 64 bits, bounded
    in depth and size. The detail explains; the payload itself is kept whole in the inbox."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if value in INT64 else f"<an integer of {value.bit_length()} bits>"
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return printable(value, 200)
    if depth >= DETAIL_DEPTH:
        return "..."
    if isinstance(value, dict):
        kept = {
            printable(str(k), 200): storable_json(v, depth + 1) for k, v in list(value.items())[:DETAIL_ITEMS]
        }
        if len(value) > DETAIL_ITEMS:
            kept["..."] = f"{len(value) - DETAIL_ITEMS} more"
        return kept
    if isinstance(value, list | tuple):
        listed = [storable_json(v, depth + 1) for v in value[:DETAIL_ITEMS]]
        if len(value) > DETAIL_ITEMS:
            listed.append(f"... {len(value) - DETAIL_ITEMS} more")
        return listed
    if isinstance(value, Decimal) and not -100 <= value.adjusted() <= 100:
        return f"<a number with exponent {value.adjusted()}>"
    return printable(str(value), 200)


# The inbox columns' widths, read off the table once rather than per delivery.
_INBOX_CHARS = {
    name: limit(inbox.c[name]) for name in ("dedupe_key", "content_type", "traceparent", "account", "route")
}


def _key(text: str) -> str:
    """A dedupe key any column holds, still the same for the same delivery."""
    if unfit(text, _INBOX_CHARS["dedupe_key"]) is None:
        return text
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def fitted(delivery: Delivery) -> Delivery:
    """The delivery with inbox values every backend stores. A dedupe key that does not fit is hashed (the
    same delivery still gets the same key); a content type or trace context that does not fit is dropped
    (they describe the delivery, the body is kept whole); an account or route that does not fit makes
    the delivery unmappable, with the reason."""
    problem = delivery.problem
    changes: dict[str, Any] = {}
    key = _key(delivery.dedupe_key)
    if key is not delivery.dedupe_key:
        changes["dedupe_key"] = key
    for name in ("content_type", "traceparent"):
        value = getattr(delivery, name)
        if value is not None and unfit(value, _INBOX_CHARS[name]) is not None:
            changes[name] = None
    for name in ("account", "route"):
        value = getattr(delivery, name)
        why = None if value is None else unfit(value, _INBOX_CHARS[name])
        if why is not None:
            changes[name] = None
            problem = problem or f"the {name} {printable(value or '', 40)!r} cannot be stored: it {why}"
    if problem is not delivery.problem:
        changes["problem"] = problem
    return replace(delivery, **changes) if changes else delivery
