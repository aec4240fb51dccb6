"""Why a payload did not map. Raised while mapping; turned into a quarantine entry by intake."""

from __future__ import annotations

from typing import Any

_LONGEST = 300  # characters of a reason or value kept: a hostile payload must not fill the quarantine


def shortened(text: str) -> str:
    return text if len(text) <= _LONGEST else f"{text[:_LONGEST]}… ({len(text):,} characters)"


class MappingError(Exception):
    def __init__(
        self, reason: str, *, at: str | None = None, value: Any = None, known: list[str] | None = None
    ):
        self.reason = shortened(reason)
        self.at = at
        self.value = value
        self.known = known
        self.items: list[tuple[str, int]] = []  # the items it happened in, innermost first
        super().__init__(self.describe())

    def within(self, source: str, index: int) -> MappingError:
        """Note the item of a `foreach` or `list` (its `from` and position) the error happened in, so the
        reason names the order line rather than only a path relative to it."""
        self.items.append((source, index))
        self.args = (self.describe(),)
        return self

    def summary(self) -> str:
        """What went wrong and where: the quarantine reason. The known values stay in `detail()`, so the
        reason (and a golden case that expects it) does not change when a table grows."""
        text = f"{self.reason} at {self.at}" if self.at else self.reason
        return text + "".join(f" in {source}[{index}]" for source, index in self.items)

    def describe(self) -> str:
        text = self.summary()
        if self.known is not None:
            text += f"; known: {', '.join(self.known)}"
        return text

    def detail(self) -> dict[str, Any]:
        detail: dict[str, Any] = {"reason": self.reason}
        if self.at:
            detail["at"] = self.at
        if self.value is not None:
            value = self.value
            if isinstance(value, str):
                value = shortened(value)
            elif not isinstance(value, int | bool) or (isinstance(value, int) and value.bit_length() > 64):
                value = shortened(_text(value))
            detail["value"] = value
        if self.known is not None:
            detail["known"] = self.known
        if self.items:
            detail["items"] = [{"from": source, "index": index} for source, index in self.items]
        return detail


def _text(value: Any) -> str:
    try:
        return str(value)
    except (ValueError, RecursionError):  # an integer beyond Python's digit limit, a deep structure
        return f"<{type(value).__name__}>"
