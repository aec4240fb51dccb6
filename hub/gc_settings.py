"""The garbage collector's pace for the hub's long-running processes.

Each webhook, record and event makes a few hundred short-lived objects (parsed JSON, envelopes, rows),
nearly none of them in reference cycles. At CPython's default pace (a young-generation pass every 700
allocations) a batch of a thousand events sets off hundreds of passes, and each promotes what the batch
still holds, so the older generations are walked again and again. A larger first threshold lets a
batch's objects die young, as they do, before anything walks them.
"""

from __future__ import annotations

import gc

YOUNG = 10_000  # allocations between young-generation passes (CPython's default: 700)


def for_long_running() -> None:
    """Set the pace; the older generations keep CPython's defaults."""
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG, middle, old)
