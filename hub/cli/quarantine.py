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
    """List the open quarantine entries. ID is the delivery's id: the `inbox_id` the receiver answered."""
    entries = _service(False).entries(connector)
    for e in entries:
        if as_json:
            click.echo(
                orjson.dumps(
                    {
                        "id": e.inbox_id,
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
                f"{e.inbox_id:>6}  {e.quarantined_at:%Y-%m-%dT%H:%M:%SZ}  {e.connector:<10} "
                f"{e.mapping or '-':<24} {e.reason}"
            )
    if not entries and not as_json:
        click.echo("quarantine is empty")


@quarantine.command()
@click.argument("delivery_id", type=int, metavar="ID")
@friendly_errors
def show(delivery_id: int) -> None:
    """Show one held delivery (ID: the `inbox_id` of the receiver's answer, or from `hub quarantine ls`):
    why it is held, what was done with it, and the payload exactly as received."""
    held = _service(False).delivery(delivery_id)
    if held is None:
        raise KeyError(f"no quarantined delivery with id {delivery_id} (see hub quarantine ls)")
    entry, row = held.entry, held.row
    click.echo(f"id:          {row.id}")
    click.echo(f"connector:   {entry.connector}")
    click.echo(f"mapping:     {entry.mapping or '-'}")
    click.echo(f"reason:      {entry.reason}")
    if entry.detail:
        click.echo(f"detail:      {orjson.dumps(entry.detail).decode()}")
    click.echo(f"attempts:    {entry.attempts}")
    click.echo(f"received_at: {row.received_at.isoformat()}")
    click.echo(f"dedupe key:  {row.dedupe_key}")
    click.echo(f"status:      {row.status}")
    for done in held.trail:
        click.echo(f"history:     {done.at.isoformat()} {done.action} by {done.actor}: {done.reason or ''}")
    click.echo(f"resolved:    {entry.resolved_at.isoformat() if entry.resolved_at else 'no'}")
    click.echo("payload:")
    click.echo(row.body.decode("utf-8", errors="replace"))


@quarantine.command()
@click.argument("delivery_ids", type=int, nargs=-1, metavar="[ID]...")
@click.option("--all", "retry_all", is_flag=True, help="Every open entry.")
@friendly_errors
def retry(delivery_ids: tuple[int, ...], retry_all: bool) -> None:
    """Re-run the current mappings over quarantined payloads."""
    if not delivery_ids and not retry_all:
        raise click.UsageError("give delivery ids (from hub quarantine ls) or --all")
    service = _service(True)
    if retry_all:
        by_entry = {e.id: e.inbox_id for e in service.entries()}
    else:
        by_entry = dict(zip(service.entry_ids(list(delivery_ids)), delivery_ids, strict=True))
    results = service.retry(list(by_entry))
    for r in results:
        detail = f"{r.events} event(s)" if r.status == "mapped" else (r.reason or "")
        click.echo(f"{by_entry[r.entry_id]:>6}  {r.status:<16} {detail}")
    still = sum(1 for r in results if r.status == "quarantined")
    click.echo(f"{len(results) - still} resolved, {still} still quarantined")
    if still:
        sys.exit(1)


@quarantine.command()
@click.argument("delivery_id", type=int, metavar="ID")
@click.option("--reason", required=True, help="Why: kept in the audit trail (`hub quarantine show ID`).")
@friendly_errors
def discard(delivery_id: int, reason: str) -> None:
    """Give up on a held delivery: it leaves the quarantine, the payload stays stored, and who discarded
    it, when and why is kept."""
    service = _service(False)
    service.discard(delivery_id, reason)
    click.echo(f"{delivery_id}: discarded by {service.actor}: {reason}")


COMMANDS = [quarantine]
