"""Every verb of `hub` answers --help."""

from __future__ import annotations

import click
from click.testing import CliRunner

from hub.cli.main import cli


def verbs(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += verbs(command, (*prefix, name))
    return found


def test_every_verb_has_help() -> None:
    runner = CliRunner()
    all_verbs = verbs(cli)
    assert {
        ("up",),
        ("relay",),
        ("consume",),
        ("events",),
        ("quarantine", "retry"),
        ("schemas", "check"),
        ("replay",),
        ("renormalize",),
        ("alerts",),
    } <= set(all_verbs)
    for verb in all_verbs:
        result = runner.invoke(cli, [*verb, "--help"])
        assert result.exit_code == 0, (verb, result.output)
        assert "Usage: " in result.output and len(result.output.splitlines()) > 3, verb
