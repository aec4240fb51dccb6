"""`hub inventory`: adjust a SKU, show it (levels, reservations, what each channel was told and when),
release a SKU held on a sequence gap, reconcile channels with the ledger, push waiting updates."""

from __future__ import annotations

import click
import orjson

from hub.cli.common import friendly_errors, settings
from hub.commerce.channel_sync import ChannelPusher, release_sku
from hub.commerce.inventory import REASONS, adjust, reconcile_inventory, show_sku
from hub.commerce.push import channel_port
from hub.project import inventory_policy
from hub.wiring import load_project, open_store


@click.group()
def inventory() -> None:
    """Per-SKU inventory: the ledger, reservations, and each channel's available-to-sell."""


@inventory.command(name="adjust")
@click.argument("sku")
@click.option("--location", required=True, help="Where the units are, e.g. main.")
@click.option("--delta", type=int, help="Signed change of units on hand.")
@click.option("--on-hand", "on_hand", type=int, help="The counted level (absolute).")
@click.option("--reason", type=click.Choice(REASONS), required=True)
@friendly_errors
def adjust_cmd(sku: str, location: str, delta: int | None, on_hand: int | None, reason: str) -> None:
    """Record a warehouse receipt, a count or a correction: --delta N or --on-hand N."""
    if (delta is None) == (on_hand is None):
        raise click.UsageError("give exactly one of --delta and --on-hand")
    config = settings()
    policy = inventory_policy(config.project)
    event = adjust(open_store(config), policy, sku, location, delta=delta, on_hand=on_hand, reason=reason)  # type: ignore[arg-type]
    if event is None:
        click.echo(f"{sku}@{location}: already {on_hand} on hand, nothing recorded")
        return
    data = event.data
    moved = f"{data['delta']:+d} -> {data['on_hand']} on hand"
    click.echo(f"{sku}@{location}: {moved} (version {data['version']}, {reason})")


@inventory.command()
@click.argument("sku")
@click.option("--json", "as_json", is_flag=True)
@friendly_errors
def show(sku: str, as_json: bool) -> None:
    """Levels per location, reservations, position, and per channel the last pushed quantity and when."""
    config = settings()
    found = show_sku(open_store(config), inventory_policy(config.project), sku)
    if as_json:
        click.echo(orjson.dumps(found, option=orjson.OPT_INDENT_2).decode())
        return
    click.echo(f"sku:       {sku}")
    for level in found["levels"]:
        mark = "" if level["sellable"] else "  (not sold from)"
        click.echo(
            f"  {level['location']:<24} {level['on_hand']:>7} on hand  v{level['version']:<6} "
            f"{level['updated_at']}{mark}"
        )
    if not found["levels"]:
        click.echo("  no levels recorded")
    click.echo(f"reserved:  {found['reserved']} ({len(found['reservations'])} reservation(s))")
    click.echo(f"safety:    {found['safety_stock']}")
    state = "oversold" if found["position"] < 0 else "sold out" if found["position"] == 0 else "in stock"
    click.echo(f"position:  {found['position']} ({state})")
    if found["zero_barrier_version"] is not None:
        version = found["zero_barrier_version"]
        click.echo(f"barrier:   reached zero at v{version}: no reservation until every channel is told")
    sync = found["sync"]
    held = f", HELD waiting since {sync['held_since']} (versions {sync['held']} wait)" if sync["held"] else ""
    click.echo(f"sync:      applied to v{sync['version']}{held}")
    click.echo("channels:")
    for c in found["channels"]:
        pushed = "never told"
        if c["last_pushed_at"]:
            at = f"at {c['last_pushed_at']} (v{c['last_pushed_version']}, lag {c['lag_ms']} ms)"
            pushed = f"told {c['last_pushed']} {at}"
        pending = (
            f", {c['to_tell']} to tell"
            if c["to_tell"] is not None and c["to_tell_version"] != c["last_pushed_version"]
            else ""
        )
        error = f", last error: {c['last_error']}" if c["last_error"] else ""
        head = f"  {c['channel']:<12} buffer {c['buffer']:<3} now {c['available_now']:>6}"
        click.echo(f"{head}  {pushed}{pending}{error}")


@inventory.command()
@click.argument("sku")
@friendly_errors
def release(sku: str) -> None:
    """Let a SKU held on a missing version go on from the first version that arrived."""
    config = settings()
    applied = release_sku(open_store(config), inventory_policy(config.project), sku)
    click.echo(f"{sku}: applied versions {list(applied)}" if applied else f"{sku} is not held")


@inventory.command()
@click.option("--json", "as_json", is_flag=True)
@friendly_errors
def reconcile(as_json: bool) -> None:
    """Compare what each channel was told with the ledger; queue a push where they differ."""
    config = settings()
    report = reconcile_inventory(open_store(config), inventory_policy(config.project))
    if as_json:
        click.echo(orjson.dumps(report.__dict__).decode())
        return
    click.echo(f"{report.checked} SKU(s) checked, {len(report.requeued)} requeued, {len(report.held)} held")
    for sku, channels in sorted(report.requeued.items()):
        for channel, (was, now) in sorted(channels.items()):
            click.echo(f"  {sku:<24} {channel:<12} told {was}, should be {now}")


@inventory.command()
@friendly_errors
def push() -> None:
    """Send each channel the quantities waiting for it, once (`hub up` does this continuously)."""
    config = settings()
    project = load_project(config)
    store = open_store(config)
    pusher = ChannelPusher(store, project.inventory, channel_port(project, store, config.environ))
    click.echo(f"{pusher.drain()} channel update(s) accepted")


COMMANDS = [inventory]
