"""`hub push`: run one outbound action by hand."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from hub import logs
from hub.cli.common import friendly_errors, settings
from hub.push.service import PushFailed, PushService
from hub.wiring import connector_secrets, load_project, open_store


def _value(text: str) -> Any:
    """A list or object as JSON; anything else as text (ids such as "6617" stay strings)."""
    if not text.lstrip().startswith(("[", "{")):
        return text
    try:
        return json.loads(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not valid JSON", param_hint="--arg") from None


@click.command()
@click.argument("connector")
@click.argument("action")
@click.option(
    "--arg", "args", multiple=True, metavar="NAME=VALUE", help="Repeatable; a JSON list or object, or text."
)
@click.option("--account", help="Default: the first account whose secrets are set.")
@friendly_errors
def push(connector: str, action: str, args: tuple[str, ...], account: str | None) -> None:
    """Run CONNECTOR's ACTION (e.g. walmart set_inventory --arg 'levels=[{"sku":"A1","quantity":3}]')."""
    config = settings()
    project = load_project(config)
    secrets = connector_secrets(project, config)
    logs.configure(secrets=[s.reveal() for by in secrets.values() for vs in by.values() for s in vs])
    parsed = {}
    for arg in args:
        name, sep, value = arg.partition("=")
        if not sep:
            raise click.BadParameter(f"{arg!r} is not NAME=VALUE", param_hint="--arg")
        parsed[name] = _value(value)
    service = PushService(project, open_store(config), config.environ)
    try:
        result = service.run(connector, action, parsed, account)
    except PushFailed as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(result.describe())


COMMANDS = [push]
