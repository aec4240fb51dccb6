"""Event schema versions: MAJOR.MINOR, as an event's `dataschema` names them and schema files are named."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from hub.events.base import EventData

_URN = re.compile(r"^urn:hub:event:(?P<type>[A-Za-z][A-Za-z0-9_]*):v(?P<major>\d+)(?:\.(?P<minor>\d+))?$")
_FILE = re.compile(r"^(?P<type>[A-Za-z][A-Za-z0-9_]*)\.v(?P<major>\d+)(?:\.(?P<minor>\d+))?\.json$")


@dataclass(frozen=True, order=True)
class Version:
    type: str
    major: int
    minor: int = 0

    def __str__(self) -> str:
        return f"v{self.major}.{self.minor}"

    @property
    def file_name(self) -> str:
        """`OrderPaid.v1.json` for 1.0, `OrderPaid.v1.2.json` for 1.2: each committed version its own file."""
        minor = f".{self.minor}" if self.minor else ""
        return f"{self.type}.v{self.major}{minor}.json"


def version_of(cls: type[EventData]) -> Version:
    return Version(cls.TYPE, cls.VERSION, cls.MINOR)


@lru_cache(maxsize=256)
def parse_dataschema(uri: str) -> Version | None:
    match = _URN.match(uri)
    if match is None:
        return None
    return Version(match["type"], int(match["major"]), int(match["minor"] or 0))


def parse_file_name(name: str) -> Version | None:
    match = _FILE.match(name)
    if match is None:
        return None
    return Version(match["type"], int(match["major"]), int(match["minor"] or 0))
