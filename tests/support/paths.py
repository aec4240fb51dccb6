"""Where things are in the repository."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "connectors"


def sample(connector: str, name: str) -> Path:
    return REPO / "connectors" / connector / "samples" / name
