"""`hub events`: print what is in the log."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from hub.cli.common import friendly_errors, parse_time, settings
from hub.events import TOPICS, Event
from hub.wiring import open_broker


@click.command()
@click.option("--topic", "topics", multiple=True, type=click.Choice(TOPICS), help="Repeatable; default: all.")
@click.option("--since", help="ISO 8601 time with offset, or an age like 15m, 2h, 7d.")
@click.option("--limit", type=int, help="At most this many events.")
@click.option("--json", "as_json", is_flag=True, help="One CloudEvents JSON document per line.")
@friendly_errors
def events(topics: tuple[str, ...], since: str | None, limit: int | None, as_json: bool) -> None:
    """Print the events in the log, oldest first."""
    broker = open_broker(settings())
    for record in broker.read(list(topics or TOPICS), since=parse_time(since), limit=limit):
        event = Event.from_binary(record.headers, record.value)
        if as_json:
            click.echo(event.to_json())
            continue
        at = datetime.fromtimestamp(record.timestamp_ms / 1000, UTC).isoformat(timespec="milliseconds")
        click.echo(
            f"{at}  {record.topic}[{record.partition}]@{record.offset}  {event.type:<22} "
            f"{event.partitionkey}  #{event.sequence}  {event.id}"
        )


COMMANDS = [events]
