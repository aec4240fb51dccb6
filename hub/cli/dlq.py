"""`hub dlq`: what consumer groups gave up on, and what a person does about it."""

from __future__ import annotations

from typing import Any

import click
import orjson

from hub.cli.common import friendly_errors, settings
from hub.consumers import deadletters
from hub.consumers.discovery import groups
from hub.events.reader import Unreadable, read_event
from hub.store.dead_letters import DeadLetter
from hub.wiring import open_store


@click.group()
def dlq() -> None:
    """Dead letters: events a consumer group could not apply after its retries (with the error, the
    attempts and the event whole), and, in groups ordered per key, the events parked behind them."""


def _summary(letter: DeadLetter) -> dict[str, Any]:
    return {
        "id": letter.id,
        "group": letter.group_name,
        "status": letter.status,
        "key": letter.partition_key,
        "event_type": letter.event_type,
        "event_id": letter.event_id,
        "position": f"{letter.topic}[{letter.log_partition}]@{letter.log_offset}",
        "attempts": letter.attempts,
        "failed_at": letter.failed_at.isoformat(),
        "error": letter.error,
    }


@dlq.command(name="ls")
@click.option("--group", help="Only this consumer group's.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document per dead letter or parked event.")
@friendly_errors
def list_letters(group: str | None, as_json: bool) -> None:
    """Dead letters and parked events, oldest first."""
    store = open_store(settings())
    with store.read_only() as uow:
        letters = uow.dead_letters.open_letters(group)
        parked = uow.dead_letters.parked(group)
    if as_json:
        for letter in letters:
            click.echo(orjson.dumps(_summary(letter)).decode())
        return
    if not letters and not parked:
        click.echo("no dead letters" + (f" in {group}" if group else ""))
        return
    click.echo(f"{'id':>6}  {'group':<16} {'status':<7} {'key':<28} {'type':<20} {'tries':>5}  error")
    for letter in letters:
        error = (letter.error or "(behind a dead letter of its key)").splitlines()[0][:90]
        click.echo(
            f"{letter.id:>6}  {letter.group_name:<16} {letter.status:<7} {letter.partition_key[:28]:<28} "
            f"{(letter.event_type or '?')[:20]:<20} {letter.attempts:>5}  {error}"
        )
    for key in parked:
        click.echo(
            f"parked: {key.group_name} key {key.partition_key} since {key.parked_at:%Y-%m-%dT%H:%M:%SZ}"
        )
    dead = sum(letter.status == "dead" for letter in letters)
    click.echo(f"{dead} dead letter(s), {len(letters) - dead} parked event(s), {len(parked)} parked key(s)")


@dlq.command(name="show")
@click.argument("letter_id", metavar="ID", type=int)
@friendly_errors
def show(letter_id: int) -> None:
    """One dead letter: its error, attempts, the event as kept, and what people did with it."""
    store = open_store(settings())
    with store.read_only() as uow:
        letter = uow.dead_letters.get(letter_id)
        trail = uow.dead_letters.trail(letter_id) if letter else []
    if letter is None:
        raise click.ClickException(f"no dead letter {letter_id}")
    record = letter.record()
    try:
        event: Any = orjson.loads(read_event(record.headers, record.value).to_json())
    except Unreadable as exc:
        event = {
            "unreadable": str(exc),
            "headers": {k: v.decode("utf-8", "replace") for k, v in record.headers},
        }
        event["value"] = record.value.decode("utf-8", "replace")
    doc = {**_summary(letter), "last_attempt_at": letter.last_attempt_at.isoformat(), "event": event}
    doc["trail"] = [{**t, "at": t["at"].isoformat()} for t in trail]
    click.echo(orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode())


@dlq.command(name="redrive")
@click.argument("letter_id", metavar="ID", type=int, required=False)
@click.option("--key", help="Every dead letter and parked event of this key.")
@click.option("--group", help="Every dead letter and parked event of this group.")
@friendly_errors
def redrive(letter_id: int | None, key: str | None, group: str | None) -> None:
    """Apply kept events again through their group's handler: a dead letter (with, in a group ordered per
    key, the events parked behind it, in order; the key is released once all applied), a key, or a group."""
    if (letter_id is not None) + (key is not None) + (group is not None and key is None) != 1:
        raise click.UsageError("give one of ID, --key K (optionally with --group G) or --group G")
    store = open_store(settings())
    result = deadletters.redrive(store, groups(), letter_id=letter_id, key=key, group=group)
    for letter in result.applied:
        click.echo(
            f"applied  {letter.id:>6}  {letter.group_name}  {letter.partition_key}  {letter.event_type}"
        )
    for group_name, released in result.released:
        click.echo(f"released {group_name} key {released}")
    for letter, error in result.failed:
        click.echo(f"failed   {letter.id:>6}  {letter.group_name}  {letter.partition_key}: {error}", err=True)
    if result.failed:
        raise SystemExit(1)


@dlq.command(name="drop")
@click.argument("letter_id", metavar="ID", type=int)
@click.option("--reason", required=True, help="Why it is given up on; kept in the audit trail.")
@friendly_errors
def drop(letter_id: int, reason: str) -> None:
    """Give up on a dead letter (or a parked event) for good. A parked key left with nothing is released."""
    letter = deadletters.drop(open_store(settings()), letter_id, reason)
    click.echo(f"dropped {letter.id} ({letter.group_name}, key {letter.partition_key}): {reason}")


COMMANDS = [dlq]
