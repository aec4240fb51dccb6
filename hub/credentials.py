"""Secrets resolved from the environment, never printed."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Collection, Iterable, Mapping


class MissingSecret(RuntimeError):
    pass


class Secret:
    """A secret value whose repr and str never reveal it."""

    __slots__ = ("_value", "env")

    def __init__(self, value: str, env: str) -> None:
        self._value = value
        self.env = env

    def reveal(self) -> str:
        return self._value

    def encoded(self) -> bytes:
        return self._value.encode()

    def equals(self, other: str | bytes) -> bool:
        candidate = other if isinstance(other, bytes) else other.encode()
        return hmac.compare_digest(self._value.encode(), candidate)

    def __repr__(self) -> str:
        return f"Secret(env={self.env!r}, value='***')"

    __str__ = __repr__


def resolve(
    refs: Mapping[str, list[str]],
    environ: Mapping[str, str],
    *,
    owner: str,
    optional: Collection[str] = (),
) -> dict[str, list[Secret]]:
    """Read every named secret; fail once, naming every missing variable.

    Each secret lists its variables newest first: the first is required, the rest are older values
    still accepted during a rotation and may be unset. An optional secret that is unset is left out.
    """
    missing = [
        f"{envs[0]} ({owner}: secrets.{name})"
        for name, envs in refs.items()
        if not environ.get(envs[0]) and name not in optional
    ]
    if missing:
        raise MissingSecret("missing secret environment variable(s): " + ", ".join(missing))
    return {
        name: [Secret(environ[e], e) for e in envs if environ.get(e)]
        for name, envs in refs.items()
        if environ.get(envs[0])
    }


class RedactingFilter(logging.Filter):
    """Last line of defence: scrub known secret values from any log record, its traceback and stack
    included (an exception's message or a frame's source line can hold a secret as well)."""

    _formatter = logging.Formatter()

    def __init__(self, values: Iterable[str]) -> None:
        super().__init__()
        self._values = sorted({v for v in values if len(v) >= 4}, key=len, reverse=True)

    def _redact(self, text: str) -> str:
        for value in self._values:
            text = text.replace(value, "***")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._values:
            return True
        message = record.getMessage()
        redacted = self._redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            # Formatted here, once: the handler's formatter uses exc_text when it is set.
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._redact(record.exc_text)
            # A formatter that has the exception formats it again from exc_info (the JSON one does),
            # unredacted: it gets only the redacted text.
            record.exc_info = None
        if record.stack_info:
            record.stack_info = self._redact(record.stack_info)
        return True
