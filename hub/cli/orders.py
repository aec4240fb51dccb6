"""`hub orders`: each order's state as the lifecycle state machine keeps it, its lines and its history."""

from __future__ import annotations

import sys

import click
import orjson

from hub.cli.common import friendly_errors, settings
from hub.commerce.orders import list_orders, show_order
from hub.domain.orders import STATES
from hub.wiring import open_store


@click.group()
def orders() -> None:
    """Orders: state, lines, and every update each one got."""


@orders.command(name="ls")
@click.option("--channel", help="Only this channel's orders (the connector's name).")
@click.option("--state", type=click.Choice(STATES), help="Only orders in this state.")
@click.option("--limit", type=int, default=100, show_default=True)
@friendly_errors
def ls(channel: str | None, state: str | None, limit: int) -> None:
    """List orders, the most recently updated first."""
    found = list_orders(open_store(settings()), channel=channel, state=state, limit=limit)
    for row in found:
        click.echo(
            f"{row.channel:<10} {row.order_id:<28} {row.state:<17} "
            f"{row.occurred_at:%Y-%m-%dT%H:%M:%SZ}  {row.account or '-'}"
        )
    if not found:
        click.echo("no orders")


@orders.command()
@click.argument("channel")
@click.argument("order_id")
@click.option("--json", "as_json", is_flag=True)
@friendly_errors
def show(channel: str, order_id: str, as_json: bool) -> None:
    """One order: its state, lines, and each applied, duplicate, stale and refused update with its source."""
    found = show_order(open_store(settings()), channel, order_id)
    if found is None:
        click.echo(f"no order {channel} {order_id}", err=True)
        sys.exit(1)
    if as_json:
        click.echo(orjson.dumps(found, option=orjson.OPT_INDENT_2).decode())
        return
    partial = " (partial)" if found["partial"] else ""
    click.echo(f"order:    {channel} {order_id}")
    click.echo(f"state:    {found['state'] or '-'}{partial}")
    click.echo(f"account:  {found['account'] or '-'}")
    click.echo(f"updated:  {found['occurred_at'] or '-'} (source time)")
    click.echo("lines:")
    for line in found["lines"]:
        units = f"shipped {line['shipped']}, cancelled {line['cancelled']}, returned {line['returned']}"
        quantity = "?" if line["quantity"] is None else line["quantity"]
        click.echo(
            f"  {line['line_id']:<16} {line['sku'] or '-':<20} x{quantity:<4} {line['state']:<17} {units}"
        )
    if not found["lines"]:
        click.echo("  (no lines known)")
    click.echo("history:")
    for h in found["history"]:
        why = f"  {h['reason']}" if h["reason"] else ""
        click.echo(
            f"  {h['occurred_at']}  {h['event_type']:<16} {h['channel_status'] or '-':<20} "
            f"{h['outcome']:<9} -> {h['state'] or '-':<17} {h['source']}{why}"
        )


COMMANDS = [orders]
