"""`hub status`: one screen of the figures /metrics serves."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import click
import orjson

from hub.cli.common import friendly_errors, settings
from hub.consumers.discovery import groups
from hub.status import Status, snapshot
from hub.wiring import open_broker, open_store


def _json(status: Status) -> dict[str, Any]:
    doc = asdict(status)
    doc["at"] = status.at.isoformat()
    doc["dead_letters"] = status.dead_letters
    for group, found in zip(doc["groups"], status.groups, strict=True):
        group["lag"] = {f"{t}[{p}]": n for (t, p), n in sorted(found.lag.items())}
        group["total_lag"] = found.total_lag
    return doc


@click.command()
@click.option("--json", "as_json", is_flag=True, help="The same figures as one JSON document.")
@friendly_errors
def status(as_json: bool) -> None:
    """Quarantine, outbox lag, and per consumer group its lag, dead letters and parked keys."""
    config = settings()
    store, broker = open_store(config), open_broker(config)
    try:
        found = snapshot(store, broker, list(groups().values()))
    finally:
        broker.close()
        store.dispose()
    if as_json:
        click.echo(orjson.dumps(_json(found)).decode())
        return
    click.echo(f"quarantine    {found.quarantine} payload(s) waiting (hub quarantine ls)")
    click.echo(
        f"outbox        {found.outbox_pending} event(s) not yet published, oldest "
        f"{found.outbox_oldest_age_s:.1f} s"
    )
    dead = found.dead_letters
    click.echo(f"dead letters  {dead}" + (" (hub dlq ls)" if dead else ""))
    click.echo(f"{'group':<20} {'lag':>8} {'dead':>6} {'parked keys':>12}  owner")
    for group in found.groups:
        lag = "?" if group.lag_error else str(group.total_lag)
        click.echo(
            f"{group.name:<20} {lag:>8} {group.dead_letters:>6} {group.parked_keys:>12}  {group.owner or '-'}"
        )
        if group.lag_error:
            click.echo(f"  lag unknown: {group.lag_error}")


COMMANDS = [status]
