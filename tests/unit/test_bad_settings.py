"""A setting that cannot be used stops the hub with one line that names the variable, before anything
starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.hubproc import HubCli

BAD = [
    ("HUB_PARTITIONS", "x", "valid integer"),
    ("HUB_PARTITIONS", "0", "greater than or equal to 1"),
    ("HUB_RETENTION", "7 days", "not a duration like 90s"),
    ("HUB_CLEANUP_EVERY", "0s", "longer than zero"),
    ("HUB_RELAY_LEASE_TTL", "soon", "not a duration like 90s"),
]


@pytest.mark.parametrize(("variable", "value", "why"), BAD)
def test_a_bad_setting_is_one_line_naming_its_variable(
    cli: HubCli, home: Path, variable: str, value: str, why: str
) -> None:
    result = HubCli({**cli.env, variable: value}).run("relay", "--once", check=False)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0, result.stderr  # one line, no traceback
    assert result.stderr.startswith(f"error: {variable}={value!r}: ")
    assert why in result.stderr
    assert not list(home.glob("*.db"))  # stopped before opening the store
