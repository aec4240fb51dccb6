"""`hub groups` and `hub view`: where each consumer group stands, and what the built-in read models hold."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

import click
import orjson

from hub.cli.common import friendly_errors, settings
from hub.consumers.discovery import groups
from hub.views import VIEWS, group_states, rows
from hub.wiring import open_broker, open_store


@click.command(name="groups")
@click.option("--json", "as_json", is_flag=True, help="One JSON document per group.")
@friendly_errors
def list_groups(as_json: bool) -> None:
    """The registered consumer groups: the topics they read, the records they committed, their lag (records
    in the log they have not committed yet) and their last error (cleared once they apply again)."""
    config = settings()
    specs = list(groups().values())
    broker, store = open_broker(config), open_store(config)
    try:
        states = group_states(store, broker, specs)
    finally:
        broker.close()
        store.dispose()
    if as_json:
        for spec, state in zip(specs, states, strict=True):
            doc = {**asdict(state), "lag": state.lag, "description": spec.description}
            click.echo(orjson.dumps(doc, default=str).decode())
        return
    click.echo(f"{'group':<20} {'topics':<27} {'committed':>9} {'lag':>7}  last error")
    for state in states:
        error = f"{state.failed_at:%Y-%m-%dT%H:%M:%SZ} {state.error}" if state.failed_at else "-"
        topics = ",".join(state.topics)
        click.echo(f"{state.name:<20} {topics:<27} {state.committed:>9} {state.lag:>7}  {error[:120]}")


@click.command(name="view")
@click.argument("view", type=click.Choice(sorted(VIEWS)))
@click.option("--limit", default=50, show_default=True, type=int, help="At most this many rows.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document per row.")
@friendly_errors
def view(view: str, limit: int, as_json: bool) -> None:
    """What a built-in read model holds: `orders` (each order's latest state, from the order-view group),
    `audit` (the audit group's row per event, newest first), `inventory` (stock per SKU and location)."""
    config = settings()
    store = open_store(config)
    try:
        found = rows(store, view, limit)
    finally:
        store.dispose()
    if as_json:
        for row in found:
            click.echo(orjson.dumps(row, default=str).decode())
        return
    if not found:
        click.echo(f"{view}: no rows yet")
        return
    columns = list(found[0])
    text = [[_cell(row[c]) for c in columns] for row in found]
    widths = [max(len(c), *(len(r[i]) for r in text)) for i, c in enumerate(columns)]
    click.echo("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    for r in text:
        click.echo("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())


def _cell(value: object) -> str:
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%dT%H:%M:%SZ}"
    return "-" if value is None else str(value)


COMMANDS = [list_groups, view]
