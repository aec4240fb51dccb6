"""Errors of marketplace calls: they name the connector, account and operation, never a secret."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hub.api.accounts import Account


class ApiError(RuntimeError):
    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class Retryable(ApiError):
    """429, 5xx or a network error: worth another attempt after a wait."""


def redact(text: str, account: Account) -> str:
    """Whatever a marketplace echoes back (some echo the refresh token) loses the account's secrets."""
    for secret in account.secrets.values():
        value = secret.reveal()
        if len(value) >= 4:
            text = text.replace(value, "***")
    return text
