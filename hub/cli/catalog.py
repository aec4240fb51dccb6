"""`hub catalog CONNECTOR`: the connector's published catalog, where each entry goes, its golden cases."""

from __future__ import annotations

import sys

import click

from hub.cli.common import friendly_errors, settings
from hub.connectors.catalog import catalog_rows, summary
from hub.project import Project


@click.command(name="catalog")
@click.argument("connector")
@click.option("--docs", is_flag=True, help="Also print the documentation page of each entry.")
@friendly_errors
def catalog(connector: str, docs: bool) -> None:
    """Print CONNECTOR's catalog: every notification, webhook type and API operation it declares, the
    route or the reason it is ignored, and the golden cases built from its real payloads.

    Exits 1 when an entry is neither routed nor ignored, or a routed entry has no golden case."""
    root = settings().project
    c = Project.load(root, [connector]).connector(connector)
    rows = catalog_rows(root, c.spec, c.folder)
    width = max((len(f"{r.entry.kind} {r.entry.name}") for r in rows), default=5)
    click.echo(f"{'entry':<{width}}  {'golden':>6}  route or ignore")
    bad = 0
    for row in rows:
        name = f"{row.entry.kind} {row.entry.name}"
        click.echo(f"{name:<{width}}  {row.cases:>6}  {row.outcome}")
        if docs:
            click.echo(f"{'':<{width}}          {row.entry.doc}")
        bad += row.outcome == "unmapped" or (row.outcome.startswith("route ") and row.cases == 0)
    total = summary(rows)
    click.echo(
        f"{total['entries']} entries: {total['mapped']} mapped, {total['ignored']} ignored, "
        f"{total['unmapped']} neither"
    )
    if bad:
        sys.exit(1)


COMMANDS = [catalog]
