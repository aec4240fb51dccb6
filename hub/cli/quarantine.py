"""`hub quarantine`: payloads that did not map, kept whole, and their re-normalization."""

from __future__ import annotations

import sys

import click
import orjson

from hub.cli.common import friendly_errors, settings
from hub.intake.quarantine import QuarantineService
from hub.project import Project
from hub.wiring import load_project, open_store


def _service(with_project: bool) -> QuarantineService:
    config = settings()
    project: Project | None = load_project(config) if with_project else None
    return QuarantineService(project, open_store(config))


@click.group()
def quarantine() -> None:
    """Payloads that failed mapping or validation: list, inspect, re-normalize."""


@quarantine.command(name="ls")
@click.option("--connector", help="Only this connector's entries.")
@click.option("--json", "as_json", is_flag=True)
@friendly_errors
def ls(connector: str | None, as_json: bool) -> None:
    """List the open quarantine entries."""
    entries = _service(False).entries(connector)
    for e in entries:
        if as_json:
            click.echo(
                orjson.dumps(
                    {
                        "id": e.id,
                        "inbox_id": e.inbox_id,
                        "connector": e.connector,
                        "mapping": e.mapping,
                        "reason": e.reason,
                        "attempts": e.attempts,
                        "quarantined_at": e.quarantined_at.isoformat(),
                    }
                )
            )
        else:
            click.echo(
                f"{e.id:>6}  {e.quarantined_at:%Y-%m-%dT%H:%M:%SZ}  {e.connector:<10} "
                f"{e.mapping or '-':<24} {e.reason}"
            )
    if not entries and not as_json:
        click.echo("quarantine is empty")


@quarantine.command()
@click.argument("entry_id", type=int, metavar="ID")
@friendly_errors
def show(entry_id: int) -> None:
    """Show one entry: why it is held, and the payload exactly as received."""
    found = _service(False).show(entry_id)
    if found is None:
        click.echo(f"no quarantine entry {entry_id}", err=True)
        sys.exit(1)
    entry, row = found
    click.echo(f"id:          {entry.id}")
    click.echo(f"connector:   {entry.connector}")
    click.echo(f"mapping:     {entry.mapping or '-'}")
    click.echo(f"reason:      {entry.reason}")
    if entry.detail:
        click.echo(f"detail:      {orjson.dumps(entry.detail).decode()}")
    click.echo(f"attempts:    {entry.attempts}")
    click.echo(f"received_at: {row.received_at.isoformat()}")
    click.echo(f"inbox:       {row.id} (dedupe key {row.dedupe_key})")
    click.echo(f"resolved:    {entry.resolved_at.isoformat() if entry.resolved_at else 'no'}")
    click.echo("payload:")
    click.echo(row.body.decode("utf-8", errors="replace"))


@quarantine.command()
@click.argument("entry_ids", type=int, nargs=-1, metavar="[ID]...")
@click.option("--all", "retry_all", is_flag=True, help="Every open entry.")
@friendly_errors
def retry(entry_ids: tuple[int, ...], retry_all: bool) -> None:
    """Re-run the current mappings over quarantined payloads."""
    if not entry_ids and not retry_all:
        raise click.UsageError("give entry ids or --all")
    results = _service(True).retry(None if retry_all else list(entry_ids))
    for r in results:
        detail = f"{r.events} event(s)" if r.status == "mapped" else (r.reason or "")
        click.echo(f"{r.entry_id:>6}  {r.status:<16} {detail}")
    still = sum(1 for r in results if r.status == "quarantined")
    click.echo(f"{len(results) - still} resolved, {still} still quarantined")
    if still:
        sys.exit(1)


COMMANDS = [quarantine]
