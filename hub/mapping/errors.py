"""Why a payload did not map. Raised while mapping; turned into a quarantine entry by intake."""

from __future__ import annotations

from typing import Any


class MappingError(Exception):
    def __init__(
        self, reason: str, *, at: str | None = None, value: Any = None, known: list[str] | None = None
    ):
        self.reason = reason
        self.at = at
        self.value = value
        self.known = known
        super().__init__(self.describe())

    def describe(self) -> str:
        text = self.reason
        if self.at:
            text += f" at {self.at}"
        if self.known is not None:
            text += f"; known: {', '.join(self.known)}"
        return text

    def detail(self) -> dict[str, Any]:
        detail: dict[str, Any] = {"reason": self.reason}
        if self.at:
            detail["at"] = self.at
        if self.value is not None:
            detail["value"] = self.value if isinstance(self.value, str | int | bool) else str(self.value)
        if self.known is not None:
            detail["known"] = self.known
        return detail
